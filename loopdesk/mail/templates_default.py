"""The default customer email texts for each SOP moment (Django template syntax, plain text). Plain data."""

SIGNATURE_ZH = "\n\n—— {{ site }} 售后服务中心\n工单号：{{ number }}（回复本邮件即可补充信息，请保留标题中的工单号）"
SIGNATURE_EN = (
    "\n\n-- {{ site }} After-sales service\nTicket {{ number }} (reply to this email to add information; "
    "keep the ticket number in the subject)"
)

DEFAULTS = {
    "received": (
        "我们已收到您的反馈：{{ title }}",
        "{{ customer }}，您好：\n\n我们已收到您的反馈并登记为工单 {{ number }}，将尽快安排专人处理。" + SIGNATURE_ZH,
        "We have received your request: {{ title }}",
        "Dear {{ customer }},\n\nWe have registered your request as ticket {{ number }} and will assign it "
        "to a specialist shortly." + SIGNATURE_EN,
    ),
    "accepted": (
        "您的工单已由专人受理：{{ title }}",
        "{{ customer }}，您好：\n\n您的工单 {{ number }} 已由{{ department }}受理，我们会及时向您反馈处理进展。"
        + SIGNATURE_ZH,
        "Your ticket has been taken on: {{ title }}",
        "Dear {{ customer }},\n\nYour ticket {{ number }} has been taken on by our {{ department }} team. "
        "We will keep you informed." + SIGNATURE_EN,
    ),
    "reply": (
        "回复：{{ title }}",
        "{{ message }}" + SIGNATURE_ZH + "{% if quoted %}\n\n{{ quoted }}{% endif %}",
        "Re: {{ title }}",
        "{{ message }}" + SIGNATURE_EN + "{% if quoted %}\n\n{{ quoted }}{% endif %}",
    ),
    "plan": (
        "请确认处理方案：{{ title }}",
        "{{ customer }}，您好：\n\n针对工单 {{ number }}，我们建议的处理方案如下：\n{{ message }}\n\n"
        "如同意该方案，请直接回复“确认”；如有疑问或其他要求，也请回复本邮件告诉我们。" + SIGNATURE_ZH,
        "Please confirm the proposed plan: {{ title }}",
        "Dear {{ customer }},\n\nFor ticket {{ number }} we propose the following:\n{{ message }}\n\n"
        'If you agree, simply reply "OK"; if you have questions or other wishes, reply to this email.' + SIGNATURE_EN,
    ),
    "progress": (
        "处理进展：{{ title }}",
        "{{ customer }}，您好：\n\n您的工单 {{ number }} 最新进展：\n{{ message }}"
        "{% if next_step %}\n下一步：{{ next_step }}{% endif %}" + SIGNATURE_ZH,
        "Progress: {{ title }}",
        "Dear {{ customer }},\n\nThe latest on ticket {{ number }}:\n{{ message }}"
        "{% if next_step %}\nNext step: {{ next_step }}{% endif %}" + SIGNATURE_EN,
    ),
    "resolved": (
        "您的问题已处理完毕：{{ title }}",
        "{{ customer }}，您好：\n\n工单 {{ number }} 已处理完毕。\n原因：{{ root_cause }}\n处理方案：{{ solution }}\n\n"
        "如问题仍未解决，请直接回复本邮件。" + SIGNATURE_ZH,
        "Your issue has been resolved: {{ title }}",
        "Dear {{ customer }},\n\nTicket {{ number }} has been resolved.\nCause: {{ root_cause }}\n"
        "What we did: {{ solution }}\n\nIf the problem persists, simply reply to this email." + SIGNATURE_EN,
    ),
    "survey": (
        "{% if reminder %}提醒：{% endif %}请评价我们的服务：{{ title }}",
        "{{ customer }}，您好：\n\n工单 {{ number }} 已处理完毕。请花一分钟告诉我们问题是否已解决、您对服务是否满意：\n"
        "{{ link }}\n\n此链接仅限本人使用一次，有效期至 {{ expires }}。" + SIGNATURE_ZH,
        "{% if reminder %}Reminder: {% endif %}How did we do? {{ title }}",
        "Dear {{ customer }},\n\nTicket {{ number }} has been resolved. Please take a minute to tell us whether "
        "the problem is solved and how satisfied you are:\n{{ link }}\n\nThe link works once and is valid until "
        "{{ expires }}." + SIGNATURE_EN,
    ),
}
