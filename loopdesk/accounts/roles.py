"""Roles of the SOPs as Django groups: which permissions each role holds. Plain data."""

from django.utils.translation import gettext_lazy as _

AGENT = [
    "tickets.add_ticket",
    "tickets.view_ticket",
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "tickets.notify_customer",
    "tickets.close_ticket",
    "tickets.reopen_ticket",
    "tickets.record_satisfaction",
    "tickets.add_reply",
]
SENIOR_AGENT = AGENT + ["tickets.triage_ticket"]
SUPERVISOR = SENIOR_AGENT + [
    "tickets.assign_ticket",
    "tickets.view_all_tickets",
    "tickets.work_any_ticket",
    "tickets.archive_ticket",
    "customers.reveal_pii",
    "reports.view_reports",
]
ENGINEER = ["tickets.view_ticket", "customers.view_customer", "tickets.add_reply"]
TECH_LEAD = ENGINEER + [
    "tickets.assign_ticket",
    "tickets.view_all_tickets",
    "tickets.work_any_ticket",
    "tickets.triage_ticket",
]
MAIL_ADMIN = [
    "mail.view_mailbox",
    "mail.add_mailbox",
    "mail.change_mailbox",
    "mail.view_inboundmessage",
    "mail.change_inboundmessage",
    "mail.view_emailtemplate",
    "mail.change_emailtemplate",
]
QUALITY = ["tickets.view_ticket", "tickets.view_all_tickets", "customers.view_customer", "reports.view_reports"]

ROLES: dict[str, tuple[object, list[str]]] = {
    "agent": (_("Agent"), AGENT),
    "senior_agent": (_("Senior agent"), SENIOR_AGENT),
    "supervisor": (_("Supervisor"), SUPERVISOR),
    "aftersales_manager": (_("After-sales manager"), SUPERVISOR),
    "engineer": (_("Engineer"), ENGINEER),
    "tech_lead": (_("Tech lead"), TECH_LEAD),
    "service_director": (_("Service director"), SUPERVISOR),
    "quality_manager": (_("Quality manager"), QUALITY),
    "admin": (_("Administrator"), SUPERVISOR + ["accounts.view_user", "accounts.change_user"] + MAIL_ADMIN),
}

DEPARTMENTS = [
    # code, Chinese name, English name, sees every ticket (the service desk does intake and callbacks)
    ("cs", "客服部", "Customer service", True),
    ("support", "技术支持部", "Technical support", False),
    ("rnd", "研发部", "R&D", False),
    ("product", "产品部", "Product", False),
    ("ops", "运营部", "Operations", False),
    ("quality", "质量管理部", "Quality management", False),
    ("hr", "人力资源部", "Human resources", False),
]
