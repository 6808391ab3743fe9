"""Writes a commented scoring model file: the Account Engagement configuration that no API reports.

The template is a small, sound model (DOMAIN: less is more, decay at 15/30/45 days, MQL at a
threshold, hand-raisers straight to sales), so a consultant edits it down to what the business
runs rather than starting from an empty page.
"""

from __future__ import annotations

SCORING_TEMPLATE = """\
# leadaudit scoring model: what Account Engagement (Pardot) does with scores and grades.
# Account Engagement has no API for scoring rules, grading profiles, automation rules, page
# actions or completion actions, so they are written here, one entry per item in Account
# Engagement. Name this file in process.yaml:   scoring_model: scoring.yaml
# The limits and the threshold it is audited against live in process.yaml under 'scoring:'
# (max_criteria, max_categories, decay_days, mql_threshold, fit_field, engagement_field).
# Schema: schemas/scoring.schema.json. Less is more: every line below is a criterion to explain.
version: 1

# Scoring categories (Account Engagement > Scoring Categories), a handful at most.
categories:
  - {name: Email engagement}
  - {name: Web activity}
  - {name: Form submissions}

# Points per activity (Account Engagement > Scoring Rules); 'category' names one above.
scoring_rules:
  - {activity: Email click, points: 3, category: Email engagement}
  - {activity: Page view, points: 1, category: Web activity}
  - {activity: Form submission, points: 25, category: Form submissions}

# Grading: fit against the ideal customer profile. Firmographics only: country and region
# belong in routing, not in the grade. adjustment: +1/3 .. +3/3 (a third of a letter grade each).
grading_profiles:
  - name: Ideal customer
    criteria:
      - {field: Industry, operator: is, value: Manufacturing, adjustment: +2/3}
      - {field: NumberOfEmployees, operator: ">=", value: 200, adjustment: +1/3}
      - {field: Job Title, operator: contains, value: Director, adjustment: +1/3}

# Automation rules. Criteria fields: score, grade, days_since_last_activity, or a prospect field.
# Actions: adjust_score, set_score, set_status, set_field (with field), assign_user, assign_queue,
# assign_rule, notify_user, create_task, add_to_list, add_to_program, add_tag, add_to_campaign.
automation_rules:
  # the MQL: at the threshold of process.yaml (scoring.mql_threshold), with a decent grade
  - name: MQL at threshold
    criteria:
      - {field: score, operator: ">=", value: 100}
      - {field: grade, operator: ">=", value: B}
    actions:
      - {action: set_status, value: MQL}
      - {action: assign_rule, value: Lead assignment rule}
  # score decay: interest fades; one rule per window of scoring.decay_days
  - name: Decay after 15 days
    criteria: [{field: days_since_last_activity, operator: ">=", value: 15}]
    actions: [{action: adjust_score, value: -10}]
  - name: Decay after 30 days
    criteria: [{field: days_since_last_activity, operator: ">=", value: 30}]
    actions: [{action: adjust_score, value: -10}]
  - name: Decay after 45 days
    criteria: [{field: days_since_last_activity, operator: ">=", value: 45}]
    actions: [{action: adjust_score, value: -20}]

# Page actions: visiting a page changes the score (or routes the lead).
page_actions:
  - {name: Pricing page, url: "https://www.example.com/pricing", actions: [{action: adjust_score, value: 20}]}

# Forms and form handlers with their completion actions. Hand-raisers (contact, demo, price)
# bypass scoring: assign and notify at once; the status they land in needs the hot SLA (4 h).
forms:
  - name: Request a demo
    hand_raiser: true
    completion_actions:
      - {action: assign_queue, value: Hot_Leads}
      - {action: notify_user, value: Assigned user}
  - name: Newsletter sign-up
    completion_actions: [{action: adjust_score, value: 5}]

# Engagement Studio programs; 'status' is the Lead Status the program nurtures.
nurture_programs:
  - {name: Nurture drip, active: true, status: Nurture, re_engagement_days: 90}
"""


def scoring_template() -> str:
    return SCORING_TEMPLATE
