"""Queues, settings, duplicate and matching rules, report types and reports, via the dispatcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.model import (
    BusinessHours,
    DuplicateRule,
    MatchingRule,
    Model,
    Queue,
    Report,
    ReportType,
    Setting,
    SourceRef,
)
from auditor.parse import load_files

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
VOLUNTEERS = CORPUS / "SalesforceFoundation__Volunteers-for-Salesforce" / "src"
NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def load(path: str, xml: str, crlf: bool = False) -> Model:
    data = xml.encode("utf-8")
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    return load_files("t", [(path, data)])


def clean(model: Model) -> Model:
    assert model.problems == ()
    return model


# --- queues -----------------------------------------------------------------------------------

QUEUE = f"""{HEAD}<Queue {NS}>
    <doesSendEmailToMembers>false</doesSendEmailToMembers>
    <email>sdr@x.com</email>
    <name>SDR Queue $ (EMEA)</name>
    <queueMembers>
        <publicGroups>
            <publicGroup>ns__Sales</publicGroup>
        </publicGroups>
        <roleAndSubordinates>
            <roleAndSubordinate>VP_Sales</roleAndSubordinate>
        </roleAndSubordinates>
        <roleAndSubordinatesInternal>
            <roleAndSubordinateInternal>Director</roleAndSubordinateInternal>
        </roleAndSubordinatesInternal>
        <roles>
            <role>SDR</role>
            <role>SDR_Lead</role>
        </roles>
        <users>
            <user>jane@x.com</user>
        </users>
    </queueMembers>
    <queueSobject>
        <sobjectType>Lead</sobjectType>
    </queueSobject>
    <queueSobject>
        <sobjectType>ns__Inquiry__c</sobjectType>
    </queueSobject>
</Queue>
"""


def test_queue_with_every_member_kind() -> None:
    model = clean(load("queues/SDR_Queue.queue", QUEUE, crlf=True))
    assert model.queues == (
        Queue(
            name="SDR_Queue",
            label="SDR Queue $ (EMEA)",
            sobject_types=("Lead", "ns__Inquiry__c"),
            members=(
                "user:jane@x.com",
                "group:ns__Sales",
                "role:SDR",
                "role:SDR_Lead",
                "roleAndSubordinates:VP_Sales",
                "roleAndSubordinatesInternal:Director",
            ),
            email="sdr@x.com",
            source=SourceRef("queues/SDR_Queue.queue", 2),
        ),
    )


def test_empty_queue_and_wrong_root() -> None:
    model = clean(load("force-app/main/default/queues/Empty.queue-meta.xml", f"<Queue {NS}><name>E</name></Queue>"))
    (queue,) = model.queues
    assert (queue.name, queue.label, queue.sobject_types, queue.members, queue.email) == ("Empty", "E", (), (), None)
    wrong = load("queues/Bad.queue", f"{HEAD}<Group {NS}/>")
    assert wrong.queues == ()
    assert [p.source for p in wrong.problems] == [SourceRef("queues/Bad.queue", 1)]


# --- settings ---------------------------------------------------------------------------------

BUSINESS_HOURS = f"""{HEAD}<BusinessHoursSettings {NS}>
    <businessHours>
        <active>true</active>
        <default>true</default>
        <mondayEndTime>17:00:00.000Z</mondayEndTime>
        <mondayStartTime>09:00:00.000Z</mondayStartTime>
        <name>Default</name>
        <timeZoneId>Europe/Berlin</timeZoneId>
    </businessHours>
    <businessHours>
        <active>false</active>
        <default>false</default>
        <name>US West $</name>
    </businessHours>
    <holidays>
        <name>New Year</name>
    </holidays>
</BusinessHoursSettings>
"""


def test_business_hours() -> None:
    model = clean(load("settings/BusinessHours.settings", BUSINESS_HOURS, crlf=True))
    path = "settings/BusinessHours.settings"
    assert model.business_hours == (
        BusinessHours("Default", True, True, "Europe/Berlin", SourceRef(path, 3)),
        BusinessHours("US West $", False, False, None, SourceRef(path, 11)),
    )
    assert model.settings == ()


def test_business_hours_lower_case_file_and_sparse_entry() -> None:
    xml = f"<BusinessHoursSettings {NS}><businessHours><default>false</default></businessHours></BusinessHoursSettings>"
    model = clean(load("settings/businessHours.settings", xml))
    # Salesforce defaults IsActive to false; a missing name or time zone is empty, never an error
    expected = BusinessHours("", False, False, None, SourceRef("settings/businessHours.settings", 1))
    assert model.business_hours == (expected,)


def test_lead_config_and_convert_keep_leaf_values_sorted() -> None:
    config = f"""{HEAD}<LeadConfigSettings {NS}>
    <doesTrackHistory>false</doesTrackHistory>
    <doesPreserveLeadStatus>true</doesPreserveLeadStatus>
</LeadConfigSettings>
"""
    convert = f"""{HEAD}<LeadConvertSettings {NS}>
    <allowOwnerChange>true</allowOwnerChange>
    <objectMapping>
        <inputObject>Lead</inputObject>
        <mappingFields>
            <inputField>ns__Score__c</inputField>
            <outputField>ns__Score__c</outputField>
        </mappingFields>
        <outputObject>Contact</outputObject>
    </objectMapping>
    <opportunityCreationOptions>VisibleOptional</opportunityCreationOptions>
</LeadConvertSettings>
"""
    model = clean(
        load_files(
            "t",
            [
                ("force-app/main/default/settings/LeadConfig.settings-meta.xml", config.encode()),
                ("settings/LeadConvert.settings", convert.encode()),
            ],
        )
    )
    assert model.settings == (
        Setting(
            "LeadConfig",
            (("doesPreserveLeadStatus", "true"), ("doesTrackHistory", "false")),
            SourceRef("force-app/main/default/settings/LeadConfig.settings-meta.xml", 2),
        ),
        Setting(
            "LeadConvert",
            (("allowOwnerChange", "true"), ("opportunityCreationOptions", "VisibleOptional")),
            SourceRef("settings/LeadConvert.settings", 2),
        ),
    )
    assert model.settings[0].get("doesPreserveLeadStatus") == "true"
    assert model.settings[1].get("objectMapping") is None


def test_other_settings_are_read_and_ignored() -> None:
    model = clean(load("settings/Security.settings", f"{HEAD}<SecuritySettings {NS}><x>1</x></SecuritySettings>"))
    assert (model.settings, model.business_hours) == ((), ())
    assert [(f.kind, f.status) for f in model.files] == [("settings", "read")]


def test_settings_problems() -> None:
    wrong = load("settings/LeadConfig.settings", f"{HEAD}<LeadConvertSettings {NS}/>")
    assert wrong.settings == ()
    (problem,) = wrong.problems
    assert problem.source == SourceRef("settings/LeadConfig.settings", 1)
    assert "<LeadConfigSettings>" in problem.message
    broken = load("settings/Account.settings", f"{HEAD}<AccountSettings {NS}>\n<unclosed>\n</AccountSettings>")
    assert len(broken.problems) == 1 and broken.problems[0].source.path == "settings/Account.settings"


# --- duplicate and matching rules -------------------------------------------------------------

DUPLICATE_RULE = f"""{HEAD}<DuplicateRule {NS}>
    <actionOnInsert>Block</actionOnInsert>
    <actionOnUpdate>Allow</actionOnUpdate>
    <alertText xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
    <description xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
    <duplicateRuleFilter xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
    <duplicateRuleMatchRules>
        <matchRuleSObjectType>Lead</matchRuleSObjectType>
        <matchingRule>Standard_Lead_Match_Rule_v1_0</matchingRule>
        <objectMapping xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
    </duplicateRuleMatchRules>
    <duplicateRuleMatchRules>
        <matchRuleSObjectType>Contact</matchRuleSObjectType>
        <matchingRule>ns__Contact_Email</matchingRule>
        <objectMapping>
            <inputObject>Lead</inputObject>
            <outputObject>Contact</outputObject>
        </objectMapping>
    </duplicateRuleMatchRules>
    <isActive>true</isActive>
    <masterLabel>New Rule</masterLabel>
    <securityOption>EnforceSharingRules</securityOption>
    <sortOrder>1</sortOrder>
</DuplicateRule>
"""


def test_duplicate_rule_with_encoded_name() -> None:
    path = "duplicateRules/Lead.Lead%2ENew Rule.duplicateRule"
    model = clean(load(path, DUPLICATE_RULE, crlf=True))
    assert model.duplicate_rules == (
        DuplicateRule(
            name="Lead.New Rule",
            object="Lead",
            active=True,
            matching_rules=(("Standard_Lead_Match_Rule_v1_0", "Lead"), ("ns__Contact_Email", "Contact")),
            source=SourceRef(path, 2),
        ),
    )


def test_inactive_duplicate_rule_without_match_rules() -> None:
    path = "force-app/main/default/duplicateRules/ns__Inquiry__c.Dedupe_$1.duplicateRule-meta.xml"
    model = clean(load(path, f"<DuplicateRule {NS}><isActive>false</isActive></DuplicateRule>"))
    (rule,) = model.duplicate_rules
    assert (rule.name, rule.object, rule.active, rule.matching_rules) == ("Dedupe_$1", "ns__Inquiry__c", False, ())


MATCHING_RULES = f"""{HEAD}<MatchingRules {NS}>
    <matchingRules>
        <fullName>Standard_Lead_Match_Rule_v1_0</fullName>
        <label>Standard Lead Match Rule</label>
        <matchingRuleItems>
            <blankValueBehavior>NullNotAllowed</blankValueBehavior>
            <fieldName>Email</fieldName>
            <matchingMethod>Exact</matchingMethod>
        </matchingRuleItems>
        <matchingRuleItems>
            <blankValueBehavior>MatchBlanks</blankValueBehavior>
            <fieldName>ns__Domain__c</fieldName>
            <matchingMethod>Exact</matchingMethod>
        </matchingRuleItems>
        <ruleStatus>Active</ruleStatus>
    </matchingRules>
    <matchingRules>
        <fullName>Fuzzy%2EName</fullName>
        <label>Fuzzy</label>
        <ruleStatus>Deactivating</ruleStatus>
    </matchingRules>
</MatchingRules>
"""


def test_matching_rules() -> None:
    path = "matchingRules/Lead.matchingRule"
    model = clean(load(path, MATCHING_RULES))
    assert model.matching_rules == (
        MatchingRule("Standard_Lead_Match_Rule_v1_0", "Lead", True, ("Email", "ns__Domain__c"), SourceRef(path, 3)),
        MatchingRule("Fuzzy.Name", "Lead", False, (), SourceRef(path, 18)),
    )


def test_matching_and_duplicate_wrong_roots() -> None:
    model = load_files(
        "t",
        [
            ("matchingRules/Lead.matchingRule", f"<MatchingRule {NS}/>".encode()),
            ("duplicateRules/Lead.X.duplicateRule", f"<MatchingRules {NS}/>".encode()),
        ],
    )
    assert (model.matching_rules, model.duplicate_rules) == ((), ())
    assert sorted(p.source.path for p in model.problems) == [
        "duplicateRules/Lead.X.duplicateRule",
        "matchingRules/Lead.matchingRule",
    ]


# --- report types and reports -----------------------------------------------------------------


def test_report_type() -> None:
    xml = f"""{HEAD}<ReportType {NS}>
    <baseObject>Lead</baseObject>
    <category>leads</category>
    <deployed>true</deployed>
    <label>Leads with $ History</label>
</ReportType>
"""
    path = "reportTypes/ns__Leads_History.reportType"
    model = clean(load(path, xml, crlf=True))
    assert model.report_types == (ReportType("ns__Leads_History", "Leads with $ History", "Lead", SourceRef(path, 2)),)


REPORT = f"""{HEAD}<Report {NS}>
    <columns>
        <field>Lead.ns__Score__c</field>
    </columns>
    <columns>
        <field>STATUS</field>
    </columns>
    <format>Matrix</format>
    <groupingsAcross>
        <dateGranularity>Month</dateGranularity>
        <field>CREATED_DATE</field>
        <sortOrder>Asc</sortOrder>
    </groupingsAcross>
    <groupingsDown>
        <dateGranularity>Day</dateGranularity>
        <field>STATUS</field>
        <sortOrder>Asc</sortOrder>
    </groupingsDown>
    <groupingsDown>
        <field>OWNER</field>
        <sortOrder>Asc</sortOrder>
    </groupingsDown>
    <name>Leads by Status $ (MQL)</name>
    <reportType>LeadList</reportType>
</Report>
"""


def test_report_in_a_nested_folder_with_encoded_name() -> None:
    path = "reports/Sales/Lead_Reports/Leads%2Eby_Status.report"
    model = clean(load(path, REPORT, crlf=True))
    assert model.reports == (
        Report(
            name="Leads.by_Status",
            folder="Sales/Lead_Reports",
            label="Leads by Status $ (MQL)",
            report_type="LeadList",
            columns=("Lead.ns__Score__c", "STATUS"),
            groupings=("STATUS", "OWNER", "CREATED_DATE"),
            source=SourceRef(path, 2),
        ),
    )


def test_sparse_report_and_wrong_roots() -> None:
    model = clean(load("reports/Folder/Bare.report", f"<Report {NS}/>"))
    (report,) = model.reports
    assert (report.name, report.folder, report.label, report.report_type, report.columns, report.groupings) == (
        "Bare",
        "Folder",
        "",
        "",
        (),
        (),
    )
    wrong = load_files(
        "t",
        [
            ("reports/Folder/Dash.report", f"<Dashboard {NS}/>".encode()),
            ("reportTypes/X.reportType", f"<Report {NS}/>".encode()),
        ],
    )
    assert (wrong.reports, wrong.report_types) == ((), ())
    assert len(wrong.problems) == 2


def test_corpus_volunteers_lead_report() -> None:
    path = VOLUNTEERS / "reports" / "Volunteer_Reports" / "New_Sign_Ups_Leads.report"
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {path}")
    rel = "reports/Volunteer_Reports/New_Sign_Ups_Leads.report"
    model = clean(load_files("volunteers", [(rel, path.read_bytes())]))
    assert model.reports == (
        Report(
            name="New_Sign_Ups_Leads",
            folder="Volunteer_Reports",
            label="New Sign Ups - Leads",
            report_type="LeadList",
            columns=(
                "Lead.Volunteer_Status__c",
                "STATUS",
                "OWNER",
                "FIRST_NAME",
                "LAST_NAME",
                "TITLE",
                "COMPANY",
                "LEAD_SOURCE",
                "RATING",
                "STREET",
                "EMAIL",
            ),
            groupings=(),
            source=SourceRef(rel, 2),
        ),
    )
