"""What a generated org holds (the plan) and the object, rule, queue and report files it writes.

Flows and workflow rules, the largest files, are in ``bench.automation``. Every name is derived
from an index so two runs agree; the random generator only picks among equally realistic
choices (which field a validation rule reads, which country a queue covers).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from bench import automation
from bench.orgxml import block, criteria_item, document, el, picklist_values
from bench.sizes import MAX_ENTRIES_PER_RULE, Size

ROOT = "force-app/main/default"
LEAD = f"{ROOT}/objects/Lead"
COUNTRIES = (
    "Germany", "Austria", "Switzerland", "France", "Belgium", "Netherlands", "Luxembourg", "Sweden",
    "Norway", "Denmark", "Finland", "Spain", "Portugal", "Italy", "Poland", "Czechia", "Ireland",
    "United Kingdom", "United States", "Canada", "Mexico", "Brazil", "Japan", "Australia",
)
INDUSTRIES = (
    "Manufacturing", "Mining", "Forestry", "Energy", "Utilities", "Chemicals", "Food", "Logistics",
    "Construction", "Healthcare", "Retail", "Automotive", "Aerospace", "Education", "Government",
)
REGIONS = ("DACH", "Benelux", "Nordics", "Iberia", "UKI", "North America", "LATAM", "APAC")
FIELD_TYPES = ("Text", "Number", "Checkbox", "Picklist", "Date", "Formula")
# Fields every generated org has: routing, scoring and required-field rules name them.
CORE_FIELDS: tuple[tuple[str, str], ...] = (
    ("Region__c", "Picklist"), ("Existing_Customer__c", "Checkbox"), ("Hand_Raiser__c", "Checkbox"),
    ("Fit_Score__c", "Number"), ("Engagement_Score__c", "Number"), ("Disqualification_Reason__c", "Picklist"),
    ("Re_Engagement_Date__c", "Date"),
)


@dataclass(frozen=True)
class OrgPlan:
    size: Size
    statuses: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]  # (API name, type), Status excluded
    queues: tuple[str, ...]
    users: tuple[str, ...]
    rng: random.Random

    @classmethod
    def build(cls, size: Size, statuses: list[str], rng: random.Random) -> "OrgPlan":
        custom = [
            (f"{FIELD_TYPES[i % len(FIELD_TYPES)]}_Attribute_{i:04d}__c", FIELD_TYPES[i % len(FIELD_TYPES)])
            for i in range(max(size.fields - 1 - len(CORE_FIELDS), 0))
        ]
        queues = ["Hot_Leads", "Account_Managers", "General_Leads"]
        queues += [f"Territory_{i:05d}" for i in range(max(size.queues - len(queues), 0))]
        users = tuple(f"rep{i:04d}@bench.example" for i in range(max(size.queues // 4, 8)))
        return cls(size, tuple(statuses), CORE_FIELDS + tuple(custom), tuple(queues[: size.queues]), users, rng)

    def of_type(self, kind: str) -> list[str]:
        return [name for name, t in self.fields if t == kind]

    @property
    def working_statuses(self) -> tuple[str, ...]:
        """Statuses a lead is worked in: not Nurture and not the two terminal ones."""
        return tuple(s for s in self.statuses if s not in ("Nurture", "Disqualified", "Converted"))


def render(plan: OrgPlan) -> dict[str, str]:
    files: dict[str, str] = {
        "sfdx-project.json": json.dumps(
            {"packageDirectories": [{"path": "force-app", "default": True}], "name": f"bench-{plan.size.name.lower()}",
             "namespace": "", "sfdcLoginUrl": "https://login.salesforce.com", "sourceApiVersion": "62.0"},
            indent=2,
        ) + "\n",
        "process.yaml": process_yaml(plan),
        f"{ROOT}/standardValueSets/LeadStatus.standardValueSet-meta.xml": status_value_set(plan),
        f"{LEAD}/Lead.object-meta.xml": document("CustomObject", [
            el("enableFeeds", False, 1), el("enableHistory", True, 1), el("sharingModel", "ReadWriteTransfer", 1)]),
        f"{ROOT}/settings/LeadConfig.settings-meta.xml": document("LeadConfigSettings", [
            el("doesPreserveLeadStatus", True, 1), el("doesTrackHistory", True, 1),
            el("shouldLeadConvertRequireValidation", True, 1)]),
        f"{ROOT}/assignmentRules/Lead.assignmentRules-meta.xml": assignment_rules(plan),
        f"{ROOT}/autoResponseRules/Lead.autoResponseRules-meta.xml": auto_response_rules(plan),
    }
    files[f"{LEAD}/fields/Status.field-meta.xml"] = document("CustomField", [
        el("fullName", "Status", 1), el("trackFeedHistory", False, 1), el("trackHistory", True, 1),
        el("type", "Picklist", 1)])
    for index, (name, kind) in enumerate(plan.fields):
        files[f"{LEAD}/fields/{name}.field-meta.xml"] = custom_field(plan, name, kind, index)
    for index in range(plan.size.validation_rules):
        name, text = validation_rule(plan, index)
        files[f"{LEAD}/validationRules/{name}.validationRule-meta.xml"] = text
    for index in range(plan.size.business_processes):
        files[f"{LEAD}/businessProcesses/Lead_Process_{index:02d}.businessProcess-meta.xml"] = business_process(plan, index)
    for index in range(plan.size.record_types):
        files[f"{LEAD}/recordTypes/Lead_Type_{index:03d}.recordType-meta.xml"] = record_type(plan, index)
    for index, name in enumerate(plan.queues):
        files[f"{ROOT}/queues/{name}.queue-meta.xml"] = queue(plan, name, index)
    files.update(reports(plan))
    files.update(automation.render(plan))
    return files


# --- statuses, fields, validation rules, business processes -------------------------------


def status_value_set(plan: OrgPlan) -> str:
    values = list(plan.statuses)
    values.insert(2, "Working")  # a status the business never documented: every old org has one
    rows = [
        block("standardValue", [
            el("fullName", name, 2), el("default", name == "New", 2), el("label", name.replace("_", " "), 2),
            *([el("closed", True, 2)] if name in ("Disqualified", "Converted") else []),
            el("converted", name == "Converted", 2)], 1)
        for name in values
    ]
    return document("StandardValueSet", [el("sorted", False, 1), *rows])


def custom_field(plan: OrgPlan, name: str, kind: str, index: int) -> str:
    label = name.removesuffix("__c").replace("_", " ")
    body = [el("fullName", name, 1), el("description", f"{label}: kept for reporting and routing.", 1),
            el("externalId", False, 1), el("label", label, 1)]
    if kind == "Formula":
        source = plan.of_type("Number")[index % max(len(plan.of_type("Number")), 1)]
        body.append(el("formula", f'IF(ISPICKVAL(Status, "MQL"), "Hot", IF({source} > 50, "Warm", "Cold"))', 1))
        body.append(el("formulaTreatBlanksAs", "BlankAsZero", 1))
    if kind in ("Number", "Formula"):
        body += [el("precision", 18, 1), el("scale", 0, 1)]
    body += [el("required", False, 1), el("trackFeedHistory", False, 1),
             el("trackHistory", index % 40 == 0, 1), el("type", "Text" if kind == "Formula" else kind, 1)]
    if kind == "Text":
        body.append(el("length", 255, 1))
    if kind == "Checkbox":
        body.append(el("defaultValue", False, 1))
    if kind == "Picklist":
        if name == "Region__c":
            values: tuple[str, ...] = REGIONS
        elif name == "Disqualification_Reason__c":
            values = ("No Budget", "No Need", "Duplicate", "Wrong Contact", "Bought from Competitor")
        else:
            values = tuple(f"Option {n}" for n in range(1, 6))
        body.append(picklist_values(values, 1))
    return document("CustomField", body)


def validation_rule(plan: OrgPlan, index: int) -> tuple[str, str]:
    """Four shapes seen in real orgs: required for a status, stage gate, numeric guard, text length."""
    statuses = plan.working_statuses
    status = statuses[index % len(statuses)]
    texts, numbers, checks = plan.of_type("Text"), plan.of_type("Number"), plan.of_type("Checkbox")
    shape = index % 4
    if index == 0:
        name, formula = "Disqualification_Reason_Required", (
            'AND(ISPICKVAL(Status, "Disqualified"), ISBLANK(TEXT(Disqualification_Reason__c)))')
    elif index == 1:
        name, formula = "Nurture_Needs_Re_Engagement_Date", (
            'AND(ISPICKVAL(Status, "Nurture"), ISBLANK(Re_Engagement_Date__c))')
    elif shape == 0:
        field = plan.rng.choice(texts or ["Company"])
        name, formula = f"{status}_Requires_{field.removesuffix('__c')}_{index}", (
            f'AND(ISPICKVAL(Status, "{status}"), ISBLANK({field}))')
    elif shape == 1:
        previous = statuses[(index - 1) % len(statuses)]
        name, formula = f"Gate_{status}_{index}", (
            f'AND(ISCHANGED(Status), ISPICKVAL(Status, "{status}"), NOT(ISPICKVAL(PRIORVALUE(Status), "{previous}")))')
    elif shape == 2:
        flag, number = plan.rng.choice(checks or ["Hand_Raiser__c"]), plan.rng.choice(numbers or ["Fit_Score__c"])
        name, formula = f"Guard_{number.removesuffix('__c')}_{index}", f"AND({flag}, {number} < {index % 90 + 5})"
    else:
        field = plan.rng.choice(texts or ["Company"])
        name, formula = f"Length_{field.removesuffix('__c')}_{index}", f"LEN({field}) > {80 + index % 100}"
    body = [el("fullName", name, 1), el("active", index % 10 != 7, 1),
            el("description", "Data quality gate agreed with Sales Ops.", 1),
            el("errorConditionFormula", formula, 1), el("errorMessage", f"Rule {name} blocks this save.", 1)]
    return name, document("ValidationRule", body)


def business_process(plan: OrgPlan, index: int) -> str:
    # the first process has every status; later ones leave out qualifying steps they do not use
    values = [s for n, s in enumerate(plan.statuses) if index == 0 or not s.startswith("Qualifying") or n % (index + 1)]
    rows = [block("values", [el("fullName", v, 2), el("default", v == "New", 2)], 1) for v in values]
    return document("BusinessProcess", [
        el("fullName", f"Lead_Process_{index:02d}", 1), el("description", "Lead process of one sales unit.", 1),
        el("isActive", True, 1), *rows])


def record_type(plan: OrgPlan, index: int) -> str:
    process = f"Lead_Process_{index % max(plan.size.business_processes, 1):02d}"
    return document("RecordType", [
        el("fullName", f"Lead_Type_{index:03d}", 1), el("active", index % 9 != 8, 1),
        el("businessProcess", process, 1), el("label", f"Lead Type {index}", 1),
        block("picklistValues", [el("picklist", "Region__c", 2), *[
            block("values", [el("fullName", r, 3), el("default", False, 3)], 2) for r in REGIONS]], 1)])


def process_yaml(plan: OrgPlan) -> str:
    statuses = plan.statuses
    lines = ["# The documented lead process of the generated benchmark org.", "version: 1", "statuses:"]
    for n, name in enumerate(statuses):
        lines += [f"  - api_name: {name}", f"    label: {name.replace('_', ' ')}",
                  f"    owner: {'Marketing' if n < 3 else 'Sales'}"]
        if name == "New":
            lines.append("    entry: true")
        if name in ("Disqualified", "Converted"):
            lines.append("    terminal: true")
            lines += ["    converted: true"] if name == "Converted" else [
                "    required_fields: [Disqualification_Reason__c]"]
            continue
        if name == "Nurture":
            lines += ["    next: [Engaged, MQL, Disqualified]", "    required_fields: [Re_Engagement_Date__c]"]
            continue
        following = "Converted" if name == "SQL" else statuses[n + 1]
        lines += [f"    sla_hours: {4 if name in ('New', 'MQL') else 24 + n}",
                  f"    next: [{following}, Nurture, Disqualified]"]
    lines += [
        "routing:", "  fallback_required: true", "  dimensions:",
        "    geography: {fields: [Country, Region__c]}", "    sector: {fields: [Industry]}",
        "    installed_base: {fields: [Existing_Customer__c]}",
        "  precedence: [installed_base, sector, geography]", "  hand_raiser: {fields: [Hand_Raiser__c]}",
        "escalation: {reminder_after_hours: 24, manager_after_hours: 48}",
        "reports:", "  - {name: Lead funnel by status, group_by: [STATUS]}", "  - {name: MQL to SAL acceptance rate}",
        "rules: {}", "waivers: []",
    ]
    return "\n".join(lines) + "\n"


# --- routing -------------------------------------------------------------------------------


def _routing_entry(plan: OrgPlan, n: int, assignee: str, kind: str) -> str:
    """Entry n of a territory matrix: country x industry x a segment picklist, so no entry
    repeats or contains another (a real matrix is written most specific first)."""
    cells = len(COUNTRIES) * len(INDUSTRIES)
    country, industry = COUNTRIES[n % len(COUNTRIES)], INDUSTRIES[(n // len(COUNTRIES)) % len(INDUSTRIES)]
    picklists = plan.of_type("Picklist")[2:] or ["Region__c"]
    segment = picklists[(n // (cells * 5)) % len(picklists)]
    body = [el("assignedTo", assignee, 2), el("assignedToType", kind, 2),
            criteria_item("Lead.Country", "equals", country, 2), criteria_item("Lead.Industry", "equals", industry, 2),
            criteria_item(f"Lead.{segment}", "equals", f"Option {(n // cells) % 5 + 1}", 2),
            el("template", "unfiled$public/LeadsNewassignmentnotificationSAMPLE", 2)]
    return block("ruleEntry", body, 1)


def assignment_rules(plan: OrgPlan) -> str:
    total = plan.size.assignment_entries
    rules, start = [], 0
    counts = [min(MAX_ENTRIES_PER_RULE, total - i) for i in range(0, total, MAX_ENTRIES_PER_RULE)]
    if len(counts) == 1 and total >= 10:  # one live rule and the legacy rule it replaced
        counts = [total - total // 10, total // 10]
    for number, count in enumerate(counts):
        active = number == 0
        entries = []
        if active:
            entries.append(block("ruleEntry", [el("assignedTo", "Hot_Leads", 2), el("assignedToType", "Queue", 2),
                                               criteria_item("Lead.Hand_Raiser__c", "equals", "True", 2)], 1))
            entries.append(block("ruleEntry", [el("assignedTo", "Account_Managers", 2), el("assignedToType", "Queue", 2),
                                               criteria_item("Lead.Existing_Customer__c", "equals", "True", 2)], 1))
        middle = count - len(entries) - (1 if active else 0)
        for n in range(max(middle, 0)):
            if n % 7 == 6:
                entries.append(_routing_entry(plan, start + n, plan.users[(start + n) % len(plan.users)], "User"))
            else:
                territory = plan.queues[3 + (start + n) % max(len(plan.queues) - 3, 1)] if len(plan.queues) > 3 else "General_Leads"
                entries.append(_routing_entry(plan, start + n, territory, "Queue"))
        start += max(middle, 0)
        if active:  # the catch-all: no lead is left without an owner
            entries.append(block("ruleEntry", [el("assignedTo", "General_Leads", 2), el("assignedToType", "Queue", 2),
                                               el("formula", "true", 2)], 1))
        name = "Lead Routing" if active else f"Legacy Routing {number}"
        rules.append(block("assignmentRule", [el("fullName", name, 2), el("active", active, 2), *entries], 1))
    return document("AssignmentRules", rules)


def auto_response_rules(plan: OrgPlan) -> str:
    entries = [
        block("ruleEntry", [criteria_item("Lead.Country", "equals", COUNTRIES[n % len(COUNTRIES)], 2),
                            el("replyToEmail", "sales@bench.example", 2), el("senderEmail", "info@bench.example", 2),
                            el("senderName", "Bench Sales", 2), el("template", f"unfiled$public/Lead_Confirmation_{n}", 2)], 1)
        for n in range(max(plan.size.auto_response_entries - 1, 0))
    ]
    entries.append(block("ruleEntry", [criteria_item("Lead.Email", "notEqual", None, 2),
                                       el("senderEmail", "info@bench.example", 2), el("senderName", "Bench Sales", 2),
                                       el("template", "unfiled$public/Lead_Confirmation", 2)], 1))
    rule = block("autoResponseRule", [el("fullName", "Lead Confirmation", 2), el("active", True, 2), *entries], 1)
    return document("AutoResponseRules", [rule])


def queue(plan: OrgPlan, name: str, index: int) -> str:
    members: list[str] = []
    if index % 97 != 50:  # now and then a territory whose reps all left: an empty queue
        users = [el("user", plan.users[(index + k) % len(plan.users)], 3) for k in range(3)]
        members.append(block("queueMembers", [block("roles", [el("role", "SDR_Team_Lead", 3)], 2),
                                              block("users", users, 2)], 1))
    return document("Queue", [
        el("description", f"Leads of {name.replace('_', ' ')}.", 1), el("doesSendEmailToMembers", True, 1),
        el("name", name.replace("_", " "), 1), *members,
        block("queueSobject", [el("sobjectType", "Lead", 2)], 1)])


def reports(plan: OrgPlan) -> dict[str, str]:
    files: dict[str, str] = {}
    folders = max(plan.size.reports // 50, 1)
    for index in range(plan.size.reports):
        folder = f"Lead_Reports_{index % folders:03d}"
        title = "Lead funnel by status" if index == 0 else f"Lead pipeline {index}"
        grouping = "STATUS" if index % 3 == 0 else f"Lead.{CORE_FIELDS[0][0]}"
        columns = [block("columns", [el("field", f, 2)], 1) for f in
                   ("FULL_NAME", "COMPANY", "LEAD_SOURCE", "OWNER", f"Lead.{plan.fields[index % len(plan.fields)][0]}")]
        files[f"{ROOT}/reports/{folder}/Lead_Report_{index:05d}.report-meta.xml"] = document("Report", [
            *columns, el("format", "Summary", 1),
            block("groupingsDown", [el("dateGranularity", "Day", 2), el("field", grouping, 2), el("sortOrder", "Asc", 2)], 1),
            el("name", title, 1), el("reportType", "LeadList", 1), el("scope", "org", 1), el("showDetails", False, 1)])
    for n in range(folders):
        files[f"{ROOT}/reports/Lead_Reports_{n:03d}.reportFolder-meta.xml"] = document("ReportFolder", [
            el("name", f"Lead Reports {n}", 1)])
    return files
