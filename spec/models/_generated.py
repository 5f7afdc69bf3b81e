# Generated from spec/schemas/*.schema.json by `python -m spec.models.generate`
# (datamodel-code-generator 0.89.0); do not edit. The schemas are the source of truth.

from __future__ import annotations

from datetime import date as date_aliased
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from typing_extensions import TypeAliasType


class Money(BaseModel):
    """
    An amount of money: integer minor units plus an ISO 4217 currency. Never negative.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    amount_minor: Annotated[
        int,
        Field(
            description="The amount in minor units of the currency (pence for GBP). Never a float.",
            ge=0,
        ),
    ]
    currency: Annotated[
        str, Field(description="ISO 4217 currency code, e.g. GBP.", pattern="^[A-Z]{3}$")
    ]


class SignedMoney(BaseModel):
    """
    An amount of money that may be negative (adjustments, clawbacks).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    amount_minor: Annotated[
        int,
        Field(
            description="The amount in minor units of the currency (pence for GBP). Never a float."
        ),
    ]
    currency: Annotated[
        str, Field(description="ISO 4217 currency code, e.g. GBP.", pattern="^[A-Z]{3}$")
    ]


class HoursOfDay(BaseModel):
    """
    A span of hours within a day, from 'from' up to (not including) 'to', e.g. 09:00 to 12:00 is three hours.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    from_: Annotated[
        str,
        Field(
            alias="from",
            description="When the hours start.",
            pattern="^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
        ),
    ]
    to: Annotated[
        str,
        Field(
            description="When the hours end; later than 'from'.",
            pattern="^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
        ),
    ]


RecordId = TypeAliasType(
    "RecordId",
    Annotated[
        str,
        Field(
            description="A record id: a random (version 4) UUID in lower case.",
            pattern="^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        ),
    ],
)


LocalId = TypeAliasType(
    "LocalId",
    Annotated[
        str,
        Field(
            description="An id unique within its document, such as a support item or outcome id.",
            pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
    ],
)


class Period(BaseModel):
    """
    A period of whole days. 'end' is inclusive; absent 'end' means open-ended. 'start' is never after 'end'.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    start: Annotated[date_aliased, Field(description="The first day of the period.")]
    end: Annotated[
        date_aliased | None, Field(description="The last day of the period, inclusive.")
    ] = None


class ClosedPeriod(Period):
    """
    A period with both a start and an inclusive end.
    """

    end: Annotated[date_aliased, Field(description="The last day of the period, inclusive.")]


class OrganisationReference(BaseModel):
    """
    An organisation by its official code. Council areas and NHS boards use their GSS codes from the value sets; funders and providers use their own codes.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    kind: Annotated[
        Literal["council-area", "health-board", "funder", "provider", "other"],
        Field(description="What kind of organisation this is, which fixes the code list."),
    ]
    code: Annotated[
        str, Field(description="The organisation's official code.", max_length=64, min_length=1)
    ]
    name: Annotated[
        str | None,
        Field(
            description="The organisation's name, for people reading the document.", max_length=200
        ),
    ] = None


class RecordReference(BaseModel):
    """
    A reference to another record of the standard by its id.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[
        str,
        Field(
            description="The referenced record's id.",
            pattern="^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        ),
    ]


class VersionReference(BaseModel):
    """
    A reference to one version of a record.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[
        str,
        Field(
            description="The referenced record's id.",
            pattern="^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        ),
    ]
    version: Annotated[int, Field(description="The referenced version.", ge=1)]


class Contact(BaseModel):
    """
    Someone to contact.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[str, Field(description="The contact's name.", max_length=200, min_length=1)]
    role: Annotated[
        str | None,
        Field(description="Their role, e.g. 'sister' or 'duty social worker'.", max_length=200),
    ] = None
    telephone: Annotated[
        str | None, Field(description="A telephone number.", pattern="^[0-9 +()-]{6,20}$")
    ] = None
    email: Annotated[
        str | None,
        Field(
            description="An email address.",
            max_length=254,
            pattern="^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
        ),
    ] = None


class Provenance(BaseModel):
    """
    Where a record came from (SDS-FND-010).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    adapter: Annotated[
        str,
        Field(
            description="The adapter that produced the record, e.g. 'ilf-scotland-csv'.",
            max_length=100,
            min_length=1,
        ),
    ]
    adapter_version: Annotated[
        str, Field(description="The adapter's version.", max_length=40, min_length=1)
    ]
    source_sha256: Annotated[
        str,
        Field(
            description="SHA-256 of the whole source file, lower-case hex.",
            pattern="^[0-9a-f]{64}$",
        ),
    ]
    record_locator: Annotated[
        str,
        Field(
            description="Where in the source file the record was, e.g. 'line 4' or '/elements/2'.",
            max_length=200,
            min_length=1,
        ),
    ]
    received_at: Annotated[AwareDatetime, Field(description="When the source file was received.")]


class PersonalUseShare(BaseModel):
    """
    Access to Work: the share of an item used outside work (e.g. 3/7 for an iPad used 4 work days a week), paid by the person.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    numerator: Annotated[int, Field(description="Days (or parts) of personal use.", ge=0)]
    denominator: Annotated[int, Field(description="Days (or parts) in all.", ge=1)]


class Terms(BaseModel):
    """
    Stream-specific terms the budget engine needs.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    weeks_per_year: Annotated[
        int | None, Field(description="Weeks in the stream's year (ILF: 52).", ge=1, le=53)
    ] = None
    study_intensity_percent: Annotated[
        int | None,
        Field(
            description="Course intensity for part-time pro-rating of DSA caps (100 = full time).",
            ge=1,
            le=100,
        ),
    ] = None
    course: Annotated[
        ClosedPeriod | None, Field(description="The whole course, for per-course DSA caps.")
    ] = None
    employer_headcount: Annotated[
        int | None,
        Field(description="The employer's headcount, for the AtW cost-share band.", ge=0),
    ] = None
    job_start: Annotated[
        date_aliased | None,
        Field(
            description="When the person started the job (AtW cost share applies only after 6 weeks)."
        ),
    ] = None
    claim_window_months: Annotated[
        int | None, Field(description="AtW claim window in months (default 9).", ge=1)
    ] = None
    personal_use_share: Annotated[
        PersonalUseShare | None,
        Field(
            description="Access to Work: the share of an item used outside work (e.g. 3/7 for an iPad used 4 work days a week), paid by the person."
        ),
    ] = None
    ilf_group: Annotated[
        Literal["group-1", "group-2", "reopened"] | None,
        Field(
            description="ILF Scotland recipient group; selects the weekly maximum and the council floor (re-opened fund when absent)."
        ),
    ] = None
    ilf_applied_on: Annotated[
        date_aliased | None,
        Field(
            description="When the ILF application was made; selects the legacy Group 2 Threshold Sum (the award start when absent)."
        ),
    ] = None
    ilf_threshold_charge: Annotated[
        Money | None,
        Field(
            description="The weekly council charge in force when the Threshold Sum was set; a later rise in the charge lowers the Threshold Sum by the same amount."
        ),
    ] = None
    carry_forward: Annotated[
        bool | None,
        Field(
            description="The council's local policy on unspent money at the end of the financial year: true lets it carry into the next year, false recovers what is above 'contingency_weeks' of the award (clawback reason unspent-policy). Overrides the carry-forward rate table's default."
        ),
    ] = None
    contingency_weeks: Annotated[
        int | None,
        Field(
            description="Weeks of the award that may be kept as contingency at the end of a carry period when nothing else carries forward; overrides the carry-forward rate table.",
            ge=0,
            le=52,
        ),
    ] = None


class Entry(BaseModel):
    """
    One sum spent or committed.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[
        str,
        Field(
            description="The entry's id within the line.",
            pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
    ]
    date: Annotated[date_aliased, Field(description="The day the money was spent or committed.")]
    amount: Annotated[Money, Field(description="The sum.")]
    item: Annotated[
        str | None,
        Field(
            description="The support item of the plan it paid for, where known.",
            pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
    ] = None


class Spending(BaseModel):
    """
    What has been spent from the line, as the holder's statements report it (bank statements, invoices, payroll): absent when unknown, never an empty stand-in for zero. Checked against what has been released to date and against each stream's carry-forward rule.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    reported_to: Annotated[
        date_aliased,
        Field(description="The last day the report covers; spending after it is unknown."),
    ]
    entries: Annotated[
        list[Entry],
        Field(description="Each sum spent or committed (wages owed, invoices due) on a day."),
    ]


class Ras(BaseModel):
    """
    The council's resource allocation system.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[str, Field(description="RAS name.", max_length=100, min_length=1)]
    version: Annotated[str, Field(description="RAS version.", max_length=40, min_length=1)]


class Calculation(BaseModel):
    """
    How the budget was calculated.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    method: Annotated[
        str,
        Field(
            description="The calculation method, e.g. 'sdsx-engine'.", max_length=100, min_length=1
        ),
    ]
    engine_version: Annotated[
        str, Field(description="The engine version.", max_length=40, min_length=1)
    ]
    ras: Annotated[Ras | None, Field(description="The council's resource allocation system.")] = (
        None
    )
    rate_tables: Annotated[
        str | None, Field(description="The rate table version used.", max_length=40)
    ] = None
    rounding: Annotated[
        Literal["half-up-per-line"],
        Field(description="One rounding per line to the penny, half up (SDS-BUD-003)."),
    ]


class Allocation(BaseModel):
    """
    An allocation.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    line: Annotated[
        str,
        Field(
            description="The funding line id.",
            pattern="^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        ),
    ]
    item: Annotated[
        str, Field(description="The support item id.", pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    ]
    amount: Annotated[Money, Field(description="The amount allocated.")]
    rule: Annotated[
        str,
        Field(
            description="The requirement ID that admitted it: SDS-BUD-020 for a restricted line whose restriction admits the item, SDS-BUD-016 for council money as funder of last resort, SDS-BUD-041 for a line paying the hours an item's hour split gives its stream.",
            pattern="^SDS-[A-Z]{3}-[0-9]{3}$",
        ),
    ]


class UnallocatedItem(BaseModel):
    """
    Unallocated money.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    line: Annotated[
        str,
        Field(
            description="The funding line id.",
            pattern="^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        ),
    ]
    amount: Annotated[Money, Field(description="How much.")]
    reason: Annotated[
        str,
        Field(
            description="Why it could not be used, citing the rule (SDS-BUD-020 nothing admitted, SDS-BUD-015 admitted items already funded).",
            max_length=500,
            min_length=1,
        ),
    ]


class Name(BaseModel):
    """
    The person's name.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    given: Annotated[str, Field(description="Given name(s).", max_length=200, min_length=1)]
    family: Annotated[str, Field(description="Family name.", max_length=200, min_length=1)]
    preferred: Annotated[
        str | None, Field(description="What the person likes to be called.", max_length=200)
    ] = None


class CommunicationNeeds(BaseModel):
    """
    How to communicate with the person.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    language: Annotated[
        str | None,
        Field(
            description="Preferred language (BCP 47 tag, e.g. 'en', 'gd', 'bfi' for BSL).",
            pattern="^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        ),
    ] = None
    interpreter_needed: Annotated[
        bool | None, Field(description="Whether an interpreter is needed.")
    ] = None
    notes: Annotated[
        str | None,
        Field(
            description="Other communication needs, in the person's words where possible.",
            max_length=2000,
        ),
    ] = None


Strength = TypeAliasType(
    "Strength", Annotated[str, Field(description="A strength.", max_length=500, min_length=1)]
)


WhatMatter = TypeAliasType(
    "WhatMatter",
    Annotated[str, Field(description="Something that matters.", max_length=500, min_length=1)],
)


class AboutMe(BaseModel):
    """
    About the person, in their own words (PRSB 'about me').
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    summary: Annotated[
        str | None, Field(description="What the person wants others to know.", max_length=4000)
    ] = None
    strengths: Annotated[
        list[Strength] | None, Field(description="Strengths and what works well.")
    ] = None
    what_matters: Annotated[
        list[WhatMatter] | None, Field(description="What matters to the person.")
    ] = None
    communication: Annotated[
        str | None, Field(description="How best to communicate.", max_length=2000)
    ] = None


class ContingencyPlan(BaseModel):
    """
    A contingency plan.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    trigger: Annotated[
        str,
        Field(
            description="What would set the plan off, e.g. 'PA is ill'.",
            max_length=1000,
            min_length=1,
        ),
    ]
    actions: Annotated[str, Field(description="What should happen.", max_length=2000, min_length=1)]
    contacts: Annotated[list[Contact], Field(description="Who to contact.", min_length=1)]


class RiskEnablementItem(BaseModel):
    """
    A risk enablement agreement.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    risk: Annotated[str, Field(description="The risk.", max_length=1000, min_length=1)]
    agreed_approach: Annotated[
        str, Field(description="What was agreed.", max_length=2000, min_length=1)
    ]
    owner: Annotated[str | None, Field(description="Who looks after it.", max_length=200)] = None


class Review(BaseModel):
    """
    When the plan is reviewed.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    due: Annotated[date_aliased, Field(description="When the next review is due.")]
    last: Annotated[date_aliased | None, Field(description="When it was last reviewed.")] = None


class AgreedByItem(BaseModel):
    """
    An agreement.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    party: Annotated[
        Literal["person", "representative", "council", "health-board", "provider"],
        Field(description="Who agreed."),
    ]
    name: Annotated[str, Field(description="Their name or role.", max_length=200, min_length=1)]
    agreed_on: Annotated[date_aliased, Field(description="When they agreed.")]


class Outcome(BaseModel):
    """
    A personal outcome identified at assessment.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[
        str, Field(description="The outcome's id.", pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    ]
    description: Annotated[
        str, Field(description="The outcome in the person's words.", max_length=2000, min_length=1)
    ]
    national_outcome: Annotated[
        Literal["improved-health", "wellbeing", "social-inclusion", "independence"],
        Field(description="The national outcome it maps to."),
    ]


class AssessedNeed(BaseModel):
    """
    An assessed need.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[
        str, Field(description="The need's id.", pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    ]
    description: Annotated[
        str, Field(description="The need, in plain words.", max_length=2000, min_length=1)
    ]
    category: Annotated[
        Literal["personal-assistant", "agency-care", "short-breaks", "equipment", "adaptations", "telecare", "transport", "education", "employment-support", "leisure-social", "health-therapy", "cleaning-laundry", "housing-support", "day-service", "brokerage", "payroll", "employer-costs", "start-up-costs", "training", "insurance", "carer-support", "contingency", "other"] | None,
        Field(description="The kind of support that would meet it."),
    ] = None
    health_need: Annotated[
        bool | None,
        Field(
            description="Whether this is a health need the NHS board shares (joint assessments)."
        ),
    ] = None


class Schedule(BaseModel):
    """
    How much support, how often: a quantity of a unit per frequency, e.g. 12 hours per week.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    quantity: Annotated[float, Field(description="How many units.", gt=0.0)]
    unit: Annotated[
        Literal["hour", "session", "night", "day", "item"], Field(description="The unit counted.")
    ]
    per: Annotated[
        Literal["per-day", "per-week", "per-4-weeks", "per-calendar-month", "per-financial-year", "per-academic-year", "per-course", "one-off"],
        Field(description="How often the quantity recurs."),
    ]


class Rate(BaseModel):
    """
    An amount per frequency, kept as awarded or as planned (FUNDING.md rule 1).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    amount: Annotated[Money, Field(description="The amount per 'per'.")]
    per: Annotated[
        Literal["per-day", "per-week", "per-4-weeks", "per-calendar-month", "per-financial-year", "per-academic-year", "per-course", "one-off"],
        Field(description="The unit of time the amount is for."),
    ]


class Identifier(BaseModel):
    """
    An identifier of a person or an award: a system from the identifier-system value set and a value. A council person id names its council in 'assigner'.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    system: Annotated[
        Literal["https://spec.sdsx.scot/id/chi", "https://spec.sdsx.scot/id/nino", "https://spec.sdsx.scot/id/council-person", "https://spec.sdsx.scot/id/ilf-scotland", "https://spec.sdsx.scot/id/dwp-access-to-work", "https://spec.sdsx.scot/id/saas"],
        Field(description="Which identifier scheme the value belongs to."),
    ]
    value: Annotated[
        str,
        Field(
            description="The identifier itself, as issued, without spaces.",
            max_length=64,
            min_length=1,
        ),
    ]
    assigner: Annotated[
        OrganisationReference | None,
        Field(
            description="The organisation that issued the identifier; required for council person ids."
        ),
    ] = None


class ConsentGrant(BaseModel):
    """
    A consent the person (or their representative) gave: who may see what, for what purpose, when. Withdrawal takes effect on the next request.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[
        str,
        Field(
            description="The grant's id within the person record.",
            pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
    ]
    purpose: Annotated[
        Literal["budget-totals", "care-coordination", "funding-administration", "joint-assessment", "research-statistics"],
        Field(description="What the consent allows."),
    ]
    recipient: Annotated[
        OrganisationReference, Field(description="The organisation the consent is given to.")
    ]
    period: Annotated[Period, Field(description="When the consent applies.")]
    granted_at: Annotated[AwareDatetime, Field(description="When consent was given.")]
    granted_by: Annotated[
        str | None,
        Field(
            description="Who gave consent: 'person' or the representative's name.",
            max_length=200,
            min_length=1,
        ),
    ] = None
    withdrawn_at: Annotated[
        AwareDatetime | None, Field(description="When consent was withdrawn, if it was.")
    ] = None


class Hourly(BaseModel):
    """
    Where the award is an hourly rate times hours.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    rate: Annotated[Money, Field(description="The hourly rate.")]
    hours: Annotated[float, Field(description="Hours per 'per'.", gt=0.0)]
    per: Annotated[
        Literal["per-day", "per-week", "per-4-weeks", "per-calendar-month", "per-financial-year", "per-academic-year", "per-course", "one-off"],
        Field(description="The period the hours are for."),
    ]


class Payment(BaseModel):
    """
    How the award is paid: in instalments from the first payment date (the award's start when absent), each instalment paying the days up to the next one; spending may never run ahead of what has been released (SDS-BUD-039).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    frequency: Annotated[
        Literal["per-day", "per-week", "per-4-weeks", "per-calendar-month", "per-financial-year", "per-academic-year", "per-course", "one-off"],
        Field(description="How often instalments are paid."),
    ]
    first_payment: Annotated[date_aliased | None, Field(description="The first payment date.")] = (
        None
    )


class Contribution(BaseModel):
    """
    A contribution that reduces what the funder pays: the council charge, AtW employer cost share or personal-use share.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    amount: Annotated[Rate, Field(description="The contribution.")]
    mode: Annotated[
        Literal["net-at-source", "gross-then-invoiced"],
        Field(
            description="Whether the funder pays net or pays gross and invoices the contribution."
        ),
    ]
    basis: Annotated[
        str | None,
        Field(
            description="How it was worked out, e.g. 'employer 250+ staff: 20% of cost above threshold'.",
            max_length=500,
        ),
    ] = None


class LedgerItem(BaseModel):
    """
    A ledger entry: an append-only, dated change to the line (award, variation, uplift, clawback...). Never edited in place.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[
        str,
        Field(
            description="The entry's id within the line.",
            pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
    ]
    kind: Annotated[
        Literal["award", "variation", "uplift", "suspension", "termination", "clawback", "refund", "arrears"],
        Field(description="What kind of change."),
    ]
    effective: Annotated[
        Period,
        Field(description="The days the entry applies to; for a one-off amount, a single day."),
    ]
    recorded_at: Annotated[
        AwareDatetime,
        Field(
            description="When the entry was recorded; an entry effective before it is backdated and yields arrears."
        ),
    ]
    rate: Annotated[
        Rate | None,
        Field(description="The new rate from 'effective.start' (award, variation, uplift)."),
    ] = None
    hourly_rate: Annotated[
        Money | None,
        Field(
            description="The new hourly rate from 'effective.start', for a line awarded as an hourly rate (e.g. a PA rate uplift); re-tested against the minimum PA rate."
        ),
    ] = None
    amount: Annotated[
        SignedMoney | None,
        Field(description="A lump sum, negative for a clawback (clawback, refund, arrears)."),
    ] = None
    adjusts: Annotated[
        str | None,
        Field(
            description="The entry this one adjusts.", pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
        ),
    ] = None
    reason: Annotated[
        Literal["misuse-s16", "late-means-test-reg3", "unspent-policy", "ilf-excess-over-one-week", "dsa-no-receipt", "transition-fund-no-records"] | None,
        Field(description="Why money is recovered (clawbacks)."),
    ] = None
    assessed_on: Annotated[
        date_aliased | None,
        Field(
            description="For a late-means-test-reg3 clawback: the day the means test was done (the entry's recorded day when absent); it may be at most the means-test window after payments started."
        ),
    ] = None


class FundingLine(BaseModel):
    """
    One funding stream's award for a person, kept as awarded, with its purpose restriction, status, ledger of changes and provenance.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    standard: Annotated[
        str,
        Field(
            description="The exact version of the standard this document follows, e.g. sdsx/1.0.",
            pattern="^sdsx/1\\.[0-9]+$",
        ),
    ]
    type: Annotated[
        Literal["funding-line"], Field(description="The document type; always 'funding-line'.")
    ]
    id: Annotated[
        str,
        Field(
            description="The record's id: a random UUID, stable across versions.",
            pattern="^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        ),
    ]
    version: Annotated[
        int,
        Field(
            description="The record's version; 1 for the first, then increasing by one per change.",
            ge=1,
        ),
    ]
    supersedes: Annotated[
        VersionReference | None,
        Field(
            description="The version of this record that this document replaces; absent on version 1."
        ),
    ] = None
    recorded_at: Annotated[
        AwareDatetime | None, Field(description="When this version was recorded (UTC).")
    ] = None
    extensions: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]+\.[A-Za-z0-9_.-]+$")], Any] | None,
        Field(
            description="Local fields a council profile adds; never needed to understand the document."
        ),
    ] = None
    person: Annotated[
        RecordReference | None,
        Field(
            description="The person funded, once the line is linked to a person record (the gateway links it by identifier)."
        ),
    ] = None
    person_identifier: Annotated[
        Identifier | None,
        Field(
            description="The identifier the source used for the person (CHI, NINO, SAAS reference...)."
        ),
    ] = None
    source: Annotated[
        Literal["council-social-care", "ilf-scotland", "ilf-scotland.transition-fund", "dwp-access-to-work", "dwp-access-to-work.support-worker", "dwp-access-to-work.travel-to-work", "dwp-access-to-work.special-aids-equipment", "saas-dsa", "saas-dsa.basic", "saas-dsa.equipment", "saas-dsa.nmph", "saas-dsa.travel", "nhs-board", "other"],
        Field(description="Which stream pays."),
    ]
    payer: Annotated[OrganisationReference, Field(description="The paying organisation.")]
    source_reference: Annotated[
        str | None,
        Field(
            description="The funder's own award reference; opaque.", max_length=100, min_length=1
        ),
    ] = None
    award: Annotated[
        Rate,
        Field(
            description="The award as awarded, in its own unit (per week, per four weeks, per academic year, one-off...)."
        ),
    ]
    hourly: Annotated[
        Hourly | None, Field(description="Where the award is an hourly rate times hours.")
    ] = None
    hours_of_day: Annotated[
        HoursOfDay | None,
        Field(
            description="The hours of the day the line pays for, where it pays for part of a support item's day (e.g. an Access to Work claim for 11:00 to 13:00 of a personal assistant's shift); checked against the item's explicit hour splits."
        ),
    ] = None
    cap: Annotated[
        Rate | None,
        Field(
            description="A cap at its own granularity (e.g. ILF weekly maximum averaged over the year, AtW per award year); overrides the rate table's figure for this line."
        ),
    ] = None
    period: Annotated[Period, Field(description="The award period.")]
    payment: Annotated[
        Payment | None,
        Field(
            description="How the award is paid: in instalments from the first payment date (the award's start when absent), each instalment paying the days up to the next one; spending may never run ahead of what has been released (SDS-BUD-039)."
        ),
    ] = None
    review_date: Annotated[
        date_aliased | None, Field(description="When the funder reviews the award.")
    ] = None
    purpose: Annotated[
        Literal["any-eligible-need", "employment-related", "study-related", "health-need", "independent-living", "carer-support", "one-off-goal"],
        Field(description="What the line may pay for."),
    ]
    status: Annotated[
        Literal["provisional", "awarded", "suspended", "ended"],
        Field(description="Where the award is in its life."),
    ]
    holding_mode: Annotated[
        Literal["direct-payment", "third-party-isf", "arranged", "paid-to-person"] | None,
        Field(description="Who holds the money."),
    ] = None
    sds_option: Annotated[
        Literal["option-1", "option-2", "option-3", "option-4"] | None,
        Field(description="For council lines: the SDS option the line is paid through."),
    ] = None
    contribution: Annotated[
        Contribution | None,
        Field(
            description="A contribution that reduces what the funder pays: the council charge, AtW employer cost share or personal-use share."
        ),
    ] = None
    terms: Annotated[
        Terms | None, Field(description="Stream-specific terms the budget engine needs.")
    ] = None
    ledger: Annotated[
        list[LedgerItem] | None, Field(description="Append-only changes after the original award.")
    ] = None
    spending: Annotated[
        Spending | None,
        Field(
            description="What has been spent from the line, as the holder's statements report it (bank statements, invoices, payroll): absent when unknown, never an empty stand-in for zero. Checked against what has been released to date and against each stream's carry-forward rule."
        ),
    ] = None
    provenance: Annotated[Provenance | None, Field(description="Where the line came from.")] = None


class LedgerItem1(BaseModel):
    """
    One ledger entry's effect.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    entry: Annotated[
        str,
        Field(
            description="The ledger entry's id in the funding line.",
            pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
    ]
    kind: Annotated[
        Literal["award", "variation", "uplift", "suspension", "termination", "clawback", "refund", "arrears"],
        Field(description="What kind of change it was."),
    ]
    effect: Annotated[
        SignedMoney,
        Field(
            description="The change it made in the period: for a rate entry the change in gross (differences of rounded cumulative figures, so they add up to the gross), for a lump its amount."
        ),
    ]
    arrears: Annotated[
        SignedMoney | None,
        Field(
            description="The part of the effect for days already past when the entry was recorded (backdating, SDS-BUD-033)."
        ),
    ] = None
    adjusts: Annotated[
        str | None,
        Field(
            description="The entry a clawback adjusts (SDS-BUD-034).",
            pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
    ] = None
    reason: Annotated[
        Literal["misuse-s16", "late-means-test-reg3", "unspent-policy", "ilf-excess-over-one-week", "dsa-no-receipt", "transition-fund-no-records"] | None,
        Field(description="Why money is recovered."),
    ] = None


class Line(BaseModel):
    """
    A normalised line.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    line: Annotated[VersionReference, Field(description="The funding line version.")]
    source: Annotated[
        Literal["council-social-care", "ilf-scotland", "ilf-scotland.transition-fund", "dwp-access-to-work", "dwp-access-to-work.support-worker", "dwp-access-to-work.travel-to-work", "dwp-access-to-work.special-aids-equipment", "saas-dsa", "saas-dsa.basic", "saas-dsa.equipment", "saas-dsa.nmph", "saas-dsa.travel", "nhs-board", "other"],
        Field(description="The stream."),
    ]
    purpose: Annotated[
        Literal["any-eligible-need", "employment-related", "study-related", "health-need", "independent-living", "carer-support", "one-off-goal"],
        Field(description="The restriction."),
    ]
    awarded: Annotated[Rate, Field(description="The award as awarded.")]
    overlap: Annotated[
        ClosedPeriod | None,
        Field(description="The days of the award inside the budget period; absent when none."),
    ] = None
    gross: Annotated[Money, Field(description="Gross amount for the overlap, rounded once.")]
    contribution: Annotated[Money, Field(description="Contribution for the overlap.")]
    net: Annotated[
        Money, Field(description="Net amount: gross less contribution, floored at zero.")
    ]
    adjustments: Annotated[
        SignedMoney | None,
        Field(
            description="The sum of the line's lump-sum ledger entries dated in the period (clawbacks negative, refunds, explicit arrears); reported beside net, not allocated."
        ),
    ] = None
    one_off: Annotated[
        bool | None,
        Field(
            description="Whether the line is a one-off amount: counted once on its date, never spread as a daily rate, shown apart from regular totals (SDS-BUD-035)."
        ),
    ] = None
    contribution_basis: Annotated[
        str | None,
        Field(
            description="How the contribution was worked out: a share of the person's assessed charge, the Access to Work cost share, the line's own contribution, or why there is none (SDS-BUD-011, SDS-BUD-013).",
            max_length=500,
        ),
    ] = None
    ledger: Annotated[
        list[LedgerItem1] | None,
        Field(
            description="What each ledger entry did to the line in the period, in the order recorded (SDS-BUD-032)."
        ),
    ] = None


class BySourceItem(BaseModel):
    """
    A source total.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    source: Annotated[
        Literal["council-social-care", "ilf-scotland", "ilf-scotland.transition-fund", "dwp-access-to-work", "dwp-access-to-work.support-worker", "dwp-access-to-work.travel-to-work", "dwp-access-to-work.special-aids-equipment", "saas-dsa", "saas-dsa.basic", "saas-dsa.equipment", "saas-dsa.nmph", "saas-dsa.travel", "nhs-board", "other"],
        Field(description="The stream."),
    ]
    amount: Annotated[Money, Field(description="Net amount.")]
    adjustments: Annotated[
        SignedMoney | None,
        Field(
            description="That source's ledger lump sums in the period; a clawback reduces only its own source (SDS-BUD-034)."
        ),
    ] = None


class ByOptionItem(BaseModel):
    """
    An option total.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    sds_option: Annotated[
        Literal["option-1", "option-2", "option-3", "option-4"], Field(description="The option.")
    ]
    amount: Annotated[Money, Field(description="Allocated amount.")]


class Totals(BaseModel):
    """
    Totals, each the sum of rounded lines (SDS-BUD-005).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    gross: Annotated[Money, Field(description="Total gross.")]
    contribution: Annotated[Money, Field(description="Total contribution.")]
    net: Annotated[Money, Field(description="Total net.")]
    regular: Annotated[
        Money | None, Field(description="Net of the regular (non one-off) lines.")
    ] = None
    one_off: Annotated[
        Money | None,
        Field(description="Net of the one-off lines, shown apart from regular totals."),
    ] = None
    adjustments: Annotated[
        SignedMoney | None,
        Field(description="Sum of the lines' ledger lump sums in the period (clawbacks negative)."),
    ] = None
    planned_cost: Annotated[
        Money, Field(description="Total planned cost of support items over the period.")
    ]
    allocated: Annotated[
        Money | None,
        Field(
            description="Total allocated to support items; allocated plus unallocated equals net."
        ),
    ] = None
    by_source: Annotated[list[BySourceItem], Field(description="Net by funding source.")]
    by_option: Annotated[list[ByOptionItem], Field(description="Allocated amount by SDS option.")]


class Flag(BaseModel):
    """
    A flag.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    code: Annotated[
        Literal["overlapping-award", "possible-double-funding", "outside-period", "cap-exceeded", "restriction-unallocatable", "shortfall", "ilf-threshold-breach", "ilf-backfill-attempt", "contribution-exceeds-cost", "continuity-gap", "claim-out-of-time", "below-minimum-pa-rate", "released-to-date-exceeded", "carry-forward-excess", "overlapping-hour-split", "means-test-out-of-time"],
        Field(description="What was found."),
    ]
    severity: Annotated[Literal["error", "warning", "info"], Field(description="How serious.")]
    lines: Annotated[list[RecordId] | None, Field(description="The lines concerned.")] = None
    items: Annotated[list[LocalId] | None, Field(description="The support items concerned.")] = None
    rule: Annotated[
        str, Field(description="The requirement ID of the rule.", pattern="^SDS-[A-Z]{3}-[0-9]{3}$")
    ]
    message: Annotated[
        str,
        Field(
            description="What was found, in plain words without personal data.",
            max_length=1000,
            min_length=1,
        ),
    ]


class IndividualBudget(BaseModel):
    """
    The combined budget for one plan: every funding line normalised to the plan period, allocated to support items, with totals, shortfall, unallocatable restricted money and flags. Produced by the budget engine.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    standard: Annotated[
        str,
        Field(
            description="The exact version of the standard this document follows, e.g. sdsx/1.0.",
            pattern="^sdsx/1\\.[0-9]+$",
        ),
    ]
    type: Annotated[
        Literal["individual-budget"],
        Field(description="The document type; always 'individual-budget'."),
    ]
    id: Annotated[
        str,
        Field(
            description="The record's id: a random UUID, stable across versions.",
            pattern="^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        ),
    ]
    version: Annotated[
        int,
        Field(
            description="The record's version; 1 for the first, then increasing by one per change.",
            ge=1,
        ),
    ]
    supersedes: Annotated[
        VersionReference | None,
        Field(
            description="The version of this record that this document replaces; absent on version 1."
        ),
    ] = None
    recorded_at: Annotated[
        AwareDatetime | None, Field(description="When this version was recorded (UTC).")
    ] = None
    extensions: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]+\.[A-Za-z0-9_.-]+$")], Any] | None,
        Field(
            description="Local fields a council profile adds; never needed to understand the document."
        ),
    ] = None
    person: Annotated[RecordReference, Field(description="The person.")]
    plan: Annotated[
        VersionReference, Field(description="The support plan version the budget is for.")
    ]
    period: Annotated[ClosedPeriod, Field(description="The budget period (the plan period).")]
    status: Annotated[
        Literal["indicative", "agreed"],
        Field(description="Indicative (a calculation) or agreed (signed off)."),
    ]
    calculation: Annotated[Calculation, Field(description="How the budget was calculated.")]
    lines: Annotated[
        list[Line], Field(description="Each funding line normalised to the plan period.")
    ]
    allocations: Annotated[
        list[Allocation], Field(description="Which line pays which support item, and how much.")
    ]
    totals: Annotated[
        Totals, Field(description="Totals, each the sum of rounded lines (SDS-BUD-005).")
    ]
    shortfall: Annotated[
        Money | None, Field(description="Planned cost the lines cannot fund; absent when none.")
    ] = None
    unallocated: Annotated[
        list[UnallocatedItem] | None,
        Field(description="Money that could not be allocated and why."),
    ] = None
    flags: Annotated[
        list[Flag] | None, Field(description="Findings: each names the lines/items and the rule.")
    ] = None
    issued_by: Annotated[
        OrganisationReference | None, Field(description="Who issued the budget.")
    ] = None
    issued_at: Annotated[AwareDatetime | None, Field(description="When it was issued.")] = None
    signature: Annotated[
        str | None,
        Field(
            description="A detached JWS over the budget without this field, by the issuer.",
            pattern="^[A-Za-z0-9_-]+\\.\\.[A-Za-z0-9_-]+$",
        ),
    ] = None


class Representative(BaseModel):
    """
    A representative.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[str, Field(description="Their name.", max_length=200, min_length=1)]
    relationship: Annotated[
        Literal["parent", "child", "spouse-partner", "sibling", "other-relative", "friend-neighbour", "welfare-guardian", "welfare-attorney", "continuing-attorney", "appointee", "advocate"],
        Field(description="How they relate to the person."),
    ]
    authority: Annotated[
        str | None,
        Field(
            description="The legal authority, e.g. a guardianship order reference.", max_length=200
        ),
    ] = None
    period: Annotated[Period | None, Field(description="When the authority applies.")] = None
    contact: Annotated[Contact | None, Field(description="How to reach them.")] = None


class Person(BaseModel):
    """
    A supported person: identifiers, name, birth date, where they live, communication needs, representatives and consents.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    standard: Annotated[
        str,
        Field(
            description="The exact version of the standard this document follows, e.g. sdsx/1.0.",
            pattern="^sdsx/1\\.[0-9]+$",
        ),
    ]
    type: Annotated[Literal["person"], Field(description="The document type; always 'person'.")]
    id: Annotated[
        str,
        Field(
            description="The record's id: a random UUID, stable across versions.",
            pattern="^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        ),
    ]
    version: Annotated[
        int,
        Field(
            description="The record's version; 1 for the first, then increasing by one per change.",
            ge=1,
        ),
    ]
    supersedes: Annotated[
        VersionReference | None,
        Field(
            description="The version of this record that this document replaces; absent on version 1."
        ),
    ] = None
    recorded_at: Annotated[
        AwareDatetime | None, Field(description="When this version was recorded (UTC).")
    ] = None
    extensions: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]+\.[A-Za-z0-9_.-]+$")], Any] | None,
        Field(
            description="Local fields a council profile adds; never needed to understand the document."
        ),
    ] = None
    identifiers: Annotated[
        list[Identifier],
        Field(description="The person's identifiers. At least one; CHI where known.", min_length=1),
    ]
    name: Annotated[Name, Field(description="The person's name.")]
    birth_date: Annotated[date_aliased, Field(description="Date of birth.")]
    council_area: Annotated[
        Literal["S12000033", "S12000034", "S12000041", "S12000035", "S12000036", "S12000005", "S12000006", "S12000042", "S12000008", "S12000045", "S12000010", "S12000011", "S12000014", "S12000047", "S12000049", "S12000017", "S12000018", "S12000019", "S12000020", "S12000013", "S12000021", "S12000050", "S12000023", "S12000048", "S12000038", "S12000026", "S12000027", "S12000028", "S12000029", "S12000030", "S12000039", "S12000040"],
        Field(description="The council area responsible for the person's social care (GSS code)."),
    ]
    health_board: Annotated[
        Literal["S08000015", "S08000016", "S08000017", "S08000029", "S08000019", "S08000020", "S08000031", "S08000022", "S08000032", "S08000024", "S08000025", "S08000026", "S08000030", "S08000028"] | None,
        Field(description="The NHS board for the person's address (GSS code)."),
    ] = None
    communication_needs: Annotated[
        CommunicationNeeds | None, Field(description="How to communicate with the person.")
    ] = None
    representatives: Annotated[
        list[Representative] | None, Field(description="People who may act for the person.")
    ] = None
    consents: Annotated[
        list[ConsentGrant] | None, Field(description="Consents the person gave.")
    ] = None


class HourSplit(BaseModel):
    """
    Hours of the item's day and the stream that pays them.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    from_: Annotated[
        str,
        Field(
            alias="from",
            description="When the hours start.",
            pattern="^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
        ),
    ]
    to: Annotated[
        str,
        Field(
            description="When the hours end; later than 'from'.",
            pattern="^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
        ),
    ]
    source: Annotated[
        Literal["council-social-care", "ilf-scotland", "ilf-scotland.transition-fund", "dwp-access-to-work", "dwp-access-to-work.support-worker", "dwp-access-to-work.travel-to-work", "dwp-access-to-work.special-aids-equipment", "saas-dsa", "saas-dsa.basic", "saas-dsa.equipment", "saas-dsa.nmph", "saas-dsa.travel", "nhs-board", "other"],
        Field(
            description="The stream that pays these hours (a stream code also covers its elements)."
        ),
    ]


class SupportItem(BaseModel):
    """
    A support item: what is bought, how, by which SDS option, at what cost, for which outcomes.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[
        str,
        Field(
            description="The item's id within the plan.",
            pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
    ]
    category: Annotated[
        Literal["personal-assistant", "agency-care", "short-breaks", "equipment", "adaptations", "telecare", "transport", "education", "employment-support", "leisure-social", "health-therapy", "cleaning-laundry", "housing-support", "day-service", "brokerage", "payroll", "employer-costs", "start-up-costs", "training", "insurance", "carer-support", "contingency", "other"],
        Field(description="What the item buys."),
    ]
    description: Annotated[
        str, Field(description="The support in plain words.", max_length=2000, min_length=1)
    ]
    sds_option: Annotated[
        Literal["option-1", "option-2", "option-3", "option-4"],
        Field(
            description="The option chosen for this item: option-1, option-2 or option-3. Option 4 is never chosen per item."
        ),
    ]
    provider: Annotated[
        OrganisationReference | None,
        Field(description="Who provides the support; required for options 2 and 3."),
    ] = None
    schedule: Annotated[Schedule | None, Field(description="How much support, how often.")] = None
    hour_splits: Annotated[
        list[HourSplit] | None,
        Field(
            description="Where the item's hours are paid by more than one stream (e.g. a personal assistant's shift, part at work and part at home): explicit, non-overlapping hour splits of its day, each naming the stream that pays those hours. The item's cost is split in proportion to the hours.",
            min_length=2,
        ),
    ] = None
    cost: Annotated[Rate, Field(description="The planned cost.")]
    period: Annotated[
        Period | None, Field(description="When the item applies, if not the whole plan period.")
    ] = None
    actual_cost: Annotated[
        Money | None,
        Field(
            description="What was actually spent, where known; absent when unknown (never zero for unknown)."
        ),
    ] = None
    actual_period: Annotated[
        ClosedPeriod | None, Field(description="The period the actual cost covers.")
    ] = None
    outcomes: Annotated[
        list[LocalId] | None, Field(description="Ids of the personal outcomes this serves.")
    ] = None
    health_need: Annotated[
        bool | None,
        Field(description="Whether the item meets a health need named in a joint assessment."),
    ] = None


class PersonalOutcome(BaseModel):
    """
    A personal outcome.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[
        str, Field(description="The outcome's id.", pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    ]
    description: Annotated[
        str, Field(description="The outcome in the person's words.", max_length=2000, min_length=1)
    ]
    national_outcome: Annotated[
        Literal["improved-health", "wellbeing", "social-inclusion", "independence"],
        Field(description="The national outcome it maps to."),
    ]
    status: Annotated[
        Literal["not-started", "in-progress", "partly-met", "fully-met", "no-longer-relevant"],
        Field(description="How far it has been met."),
    ]
    measure: Annotated[
        str | None, Field(description="How the person will know it is met.", max_length=1000)
    ] = None


class CarerPlan(BaseModel):
    """
    The carer's own adult carer support plan or young carer statement.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    kind: Annotated[
        Literal["adult-carer-support-plan", "young-carer-statement", "declined"],
        Field(description="Which kind of carer plan."),
    ]
    reference: Annotated[
        str | None, Field(description="Its reference.", max_length=100, min_length=1)
    ] = None
    record: Annotated[
        RecordReference | None,
        Field(description="The carer's own support plan record, where held in the standard."),
    ] = None


class Carer(BaseModel):
    """
    A carer's agreed contribution.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[str, Field(description="The carer's name.", max_length=200, min_length=1)]
    relationship: Annotated[
        Literal["parent", "child", "spouse-partner", "sibling", "other-relative", "friend-neighbour", "welfare-guardian", "welfare-attorney", "continuing-attorney", "appointee", "advocate"],
        Field(description="How the carer relates to the person."),
    ]
    agreed_contribution: Annotated[
        str, Field(description="What the carer agreed to do.", max_length=2000, min_length=1)
    ]
    agreed_on: Annotated[date_aliased, Field(description="When the carer agreed.")]
    carer_plan: Annotated[
        CarerPlan | None,
        Field(description="The carer's own adult carer support plan or young carer statement."),
    ] = None


class SupportPlan(BaseModel):
    """
    A person's support plan: about me, personal outcomes, support items with their SDS options and costs, contingency plans, carers' agreed contributions, risk enablement, review and agreement.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    standard: Annotated[
        str,
        Field(
            description="The exact version of the standard this document follows, e.g. sdsx/1.0.",
            pattern="^sdsx/1\\.[0-9]+$",
        ),
    ]
    type: Annotated[
        Literal["support-plan"], Field(description="The document type; always 'support-plan'.")
    ]
    id: Annotated[
        str,
        Field(
            description="The record's id: a random UUID, stable across versions.",
            pattern="^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        ),
    ]
    version: Annotated[
        int,
        Field(
            description="The record's version; 1 for the first, then increasing by one per change.",
            ge=1,
        ),
    ]
    supersedes: Annotated[
        VersionReference | None,
        Field(
            description="The version of this record that this document replaces; absent on version 1."
        ),
    ] = None
    recorded_at: Annotated[
        AwareDatetime | None, Field(description="When this version was recorded (UTC).")
    ] = None
    extensions: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]+\.[A-Za-z0-9_.-]+$")], Any] | None,
        Field(
            description="Local fields a council profile adds; never needed to understand the document."
        ),
    ] = None
    person: Annotated[RecordReference, Field(description="The person the plan is for.")]
    assessment: Annotated[
        VersionReference | None, Field(description="The assessment the plan follows.")
    ] = None
    council: Annotated[
        OrganisationReference | None, Field(description="The council responsible for the plan.")
    ] = None
    status: Annotated[
        Literal["draft", "agreed", "active", "under-review", "ended"],
        Field(description="Where the plan is in its life."),
    ]
    period: Annotated[ClosedPeriod, Field(description="The period the plan covers.")]
    sds_option: Annotated[
        Literal["option-1", "option-2", "option-3", "option-4"] | None,
        Field(
            description="Derived: the option of the support items when all share one, option-4 when they use more than one. May be omitted; when present it must equal the derived value."
        ),
    ] = None
    about_me: Annotated[
        AboutMe | None, Field(description="About the person, in their own words (PRSB 'about me').")
    ] = None
    personal_outcomes: Annotated[
        list[PersonalOutcome],
        Field(
            description="The personal outcomes agreed, each mapped to a national outcome.",
            min_length=1,
        ),
    ]
    support_items: Annotated[
        list[SupportItem], Field(description="The support bought.", min_length=1)
    ]
    contingency_plans: Annotated[
        list[ContingencyPlan] | None, Field(description="What happens when support fails.")
    ] = None
    carers: Annotated[
        list[Carer] | None,
        Field(
            description="What unpaid carers agreed to do. Never assumed: each entry records the carer's own agreement."
        ),
    ] = None
    risk_enablement: Annotated[
        list[RiskEnablementItem] | None,
        Field(description="Risks the person chose to take and how they are managed."),
    ] = None
    review: Annotated[Review, Field(description="When the plan is reviewed.")]
    agreed_by: Annotated[list[AgreedByItem] | None, Field(description="Who agreed the plan.")] = (
        None
    )


class IncomeItem(BaseModel):
    """
    An income.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    kind: Annotated[
        str,
        Field(
            description="The income, e.g. 'adult-disability-payment-care'.",
            max_length=100,
            min_length=1,
        ),
    ]
    amount: Annotated[Rate, Field(description="The amount.")]


class FinancialAssessment(BaseModel):
    """
    The charging (financial) assessment result. Disability benefits appear here as income, never as funding lines (SDS-FND-006).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    assessed_charge: Annotated[Rate, Field(description="The person's assessed contribution.")]
    assessed_on: Annotated[
        date_aliased, Field(description="When the financial assessment was made.")
    ]
    income: Annotated[
        list[IncomeItem] | None, Field(description="Income counted for charging.")
    ] = None
    policy: Annotated[
        str | None,
        Field(description="The council charging policy applied, with its version.", max_length=200),
    ] = None


class Assessment(BaseModel):
    """
    A council social care assessment, single or joint with an NHS board: eligibility, needs, personal outcomes, carer assessment offered, financial (charging) assessment.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    standard: Annotated[
        str,
        Field(
            description="The exact version of the standard this document follows, e.g. sdsx/1.0.",
            pattern="^sdsx/1\\.[0-9]+$",
        ),
    ]
    type: Annotated[
        Literal["assessment"], Field(description="The document type; always 'assessment'.")
    ]
    id: Annotated[
        str,
        Field(
            description="The record's id: a random UUID, stable across versions.",
            pattern="^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        ),
    ]
    version: Annotated[
        int,
        Field(
            description="The record's version; 1 for the first, then increasing by one per change.",
            ge=1,
        ),
    ]
    supersedes: Annotated[
        VersionReference | None,
        Field(
            description="The version of this record that this document replaces; absent on version 1."
        ),
    ] = None
    recorded_at: Annotated[
        AwareDatetime | None, Field(description="When this version was recorded (UTC).")
    ] = None
    extensions: Annotated[
        dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]+\.[A-Za-z0-9_.-]+$")], Any] | None,
        Field(
            description="Local fields a council profile adds; never needed to understand the document."
        ),
    ] = None
    person: Annotated[RecordReference, Field(description="The person assessed.")]
    kind: Annotated[
        Literal["single", "joint"],
        Field(description="Single (council) or joint (council and NHS board)."),
    ]
    council: Annotated[OrganisationReference, Field(description="The council that assessed.")]
    health_board: Annotated[
        OrganisationReference | None,
        Field(description="The NHS board of a joint assessment; required when kind is joint."),
    ] = None
    date: Annotated[date_aliased, Field(description="When the assessment was completed.")]
    eligibility: Annotated[
        Literal["eligible-critical", "eligible-substantial", "not-eligible-moderate", "not-eligible-low"],
        Field(description="The eligibility decision."),
    ]
    assessed_needs: Annotated[
        list[AssessedNeed] | None, Field(description="The needs assessed.")
    ] = None
    personal_outcomes: Annotated[
        list[Outcome] | None,
        Field(description="Personal outcomes identified (Talking Points style)."),
    ] = None
    carer_assessment_offered: Annotated[
        Literal["adult-carer-support-plan", "young-carer-statement", "declined"] | None,
        Field(description="The carer assessment offered to an unpaid carer, if any."),
    ] = None
    financial_assessment: Annotated[
        FinancialAssessment | None,
        Field(
            description="The charging (financial) assessment result. Disability benefits appear here as income, never as funding lines (SDS-FND-006)."
        ),
    ] = None


Document = TypeAliasType(
    "Document",
    Annotated[
        Person | Assessment | SupportPlan | FundingLine | IndividualBudget,
        Field(
            description="Any document of the SDS Exchange standard.",
            discriminator="type",
            title="Document",
        ),
    ],
)
