"""The seeds' routing tables (分派规则) as presets, one per category preset. Plain data."""

from __future__ import annotations

from typing import Any

# Each rule: name, conditions [(field, op, value)], and actions; `continues` lets later rules add to it.
_COMMON_HEAD: list[dict[str, Any]] = [
    {
        "name": "重大投诉 → 服务总监",
        "conditions": [("is_major_complaint", "is_true", "")],
        "watcher_roles": "service_director",
        "approver_role": "service_director",
        "continues": True,
    },
    {
        "name": "涉及员工 → 抄送人力资源部",
        "conditions": [("involves_staff", "is_true", "")],
        "watcher_departments": ["hr"],
        "continues": True,
    },
    {
        "name": "二次处理 → 客服主管",
        "conditions": [("trigger", "eq", "unsatisfied")],
        "department": "cs",
        "member_role": "supervisor",
        "strategy": "least_open",
    },
]

ROUTING_PRESETS: dict[str, list[dict[str, Any]]] = {
    "000": _COMMON_HEAD
    + [
        {
            "name": "硬件故障 → 技术支持部（硬件工程师）",
            "conditions": [("category", "eq", "hardware_fault")],
            "department": "support",
            "member_role": "engineer",
        },
        {
            "name": "软件问题 → 研发部（软件工程师）",
            "conditions": [("category", "eq", "software_problem")],
            "department": "rnd",
            "member_role": "engineer",
        },
        {"name": "服务投诉 → 客服部", "conditions": [("category", "eq", "service_complaint")], "department": "cs"},
        {
            "name": "咨询建议 → 产品部",
            "conditions": [("category", "eq", "inquiry_suggestion")],
            "department": "product",
        },
    ],
    "001": _COMMON_HEAD
    + [
        {
            "name": "功能故障 → 技术支持部（按模块匹配工程师）",
            "conditions": [("category", "eq", "functional_fault")],
            "department": "support",
            "strategy": "skills",
        },
        {
            "name": "服务体验 → 客服主管",
            "conditions": [("category", "eq", "service_experience")],
            "department": "cs",
            "member_role": "supervisor",
        },
        {
            "name": "咨询疑问 → 初级客服",
            "conditions": [("category", "eq", "inquiry")],
            "department": "cs",
            "member_role": "agent",
        },
        {
            "name": "投诉建议 → 客服主管审核",
            "conditions": [("category", "eq", "complaint_suggestion")],
            "department": "cs",
            "member_role": "supervisor",
        },
    ],
    "004": _COMMON_HEAD
    + [
        {
            "name": "售后支持 → 技术支持部",
            "conditions": [("category", "eq", "aftersales_support")],
            "department": "support",
        },
        {
            "name": "投诉建议 → 客服主管",
            "conditions": [("category", "eq", "complaint_suggestion")],
            "department": "cs",
            "member_role": "supervisor",
        },
        {
            "name": "售前咨询 → 客服部",
            "conditions": [("category", "eq", "presales_inquiry")],
            "department": "cs",
            "member_role": "agent",
        },
    ],
}

DEFAULT_ROUTING_PRESET = "000"
DEFAULT_QUEUE = "cs"
