"""The seeds' category and priority variants, offered as presets at setup. Plain data."""

CATEGORY_PRESETS: dict[str, list[tuple[str, str, str]]] = {
    # preset: [(code, Chinese name, English name)]
    "000": [
        ("hardware_fault", "硬件故障", "Hardware fault"),
        ("software_problem", "软件问题", "Software problem"),
        ("service_complaint", "服务投诉", "Service complaint"),
        ("inquiry_suggestion", "咨询建议", "Inquiry / suggestion"),
        ("other", "其他", "Other"),
    ],
    "001": [
        ("functional_fault", "功能故障", "Functional fault"),
        ("service_experience", "服务体验", "Service experience"),
        ("inquiry", "咨询疑问", "Inquiry"),
        ("complaint_suggestion", "投诉建议", "Complaint / suggestion"),
    ],
    "004": [
        ("presales_inquiry", "售前咨询", "Pre-sales inquiry"),
        ("aftersales_support", "售后支持", "After-sales support"),
        ("complaint_suggestion", "投诉建议", "Complaint / suggestion"),
        ("other", "其他", "Other"),
    ],
}

DEFAULT_CATEGORY_PRESET = "000"

PRIORITIES: list[tuple[str, str, str, int]] = [
    ("P1", "紧急", "Urgent", 1),
    ("P2", "重要", "Important", 2),
    ("P3", "一般", "Normal", 3),
]
