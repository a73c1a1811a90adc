"""The seeds' SLA tables as presets (../shared/DOMAIN.md, "Priorities and clocks"). Plain data.

Targets are minutes of business time. Urgent tickets (core business stopped, safety, data loss)
count round the clock in the 24×7 calendar; the other levels count in the China working calendar
(09:00–12:00, 13:00–18:00, 8 hours a day, with holidays and 调休 make-up days), so "8 h" is one
working day and "72 h" is nine. docs/decisions/0004-sla-presets.md explains the reading.
"""

from __future__ import annotations

from typing import Any

from loopdesk.sla.clocks import Milestone as M

H = 60
WORKDAY = "cn_workday"
ROUND_THE_CLOCK = "24x7"

CALENDARS: dict[str, dict[str, Any]] = {
    WORKDAY: {
        "name": "中国工作日历",
        "name_en": "China working days",
        "is_24x7": False,
        "holiday_source": "cn",
        # Monday to Friday, two ranges with a lunch break
        "periods": [(weekday, "09:00", "12:00") for weekday in range(5)]
        + [(weekday, "13:00", "18:00") for weekday in range(5)],
    },
    ROUND_THE_CLOCK: {
        "name": "全天候 (7×24)",
        "name_en": "Round the clock (24×7)",
        "is_24x7": True,
        "holiday_source": "",
        "periods": [],
    },
}

# preset → priorities [(code, name, English name, rank)] and targets {priority: {milestone: minutes}}
SLA_PRESETS: dict[str, dict] = {
    "000": {
        "name": "000 标准服务流程",
        "priorities": [("P1", "紧急", "Urgent", 1), ("P2", "重要", "Important", 2), ("P3", "一般", "Normal", 3)],
        "targets": {
            "P1": {M.ACKNOWLEDGE: 1 * H, M.FIRST_RESPONSE: 2 * H, M.PROGRESS: 24 * H},
            "P2": {M.ACKNOWLEDGE: 1 * H, M.PROGRESS: 8 * H},
            "P3": {M.ACKNOWLEDGE: 1 * H, M.PROGRESS: 8 * H},
        },
    },
    "001": {
        "name": "001 快速响应",
        "priorities": [("P1", "紧急", "Urgent", 1), ("P2", "重要", "Important", 2), ("P3", "一般", "Normal", 3)],
        "targets": {
            "P1": {
                M.QUICK_ACK: 15,
                M.ACKNOWLEDGE: 1 * H,
                M.FIRST_RESPONSE: 2 * H,
                M.RESOLUTION: 24 * H,
                M.RESULT_REPORT: 30,
                M.CALLBACK: 24 * H,
            },
            "P2": {
                M.ACKNOWLEDGE: 1 * H,
                M.FIRST_RESPONSE: 4 * H,
                M.RESOLUTION: 48 * H,
                M.RESULT_REPORT: 2 * H,
                M.CALLBACK: 24 * H,
            },
            "P3": {
                M.ACKNOWLEDGE: 1 * H,
                M.FIRST_RESPONSE: 8 * H,
                M.RESOLUTION: 72 * H,
                M.RESULT_REPORT: 24 * H,
                M.CALLBACK: 24 * H,
            },
        },
    },
    "002": {
        "name": "002 四级响应",
        "priorities": [
            ("P1", "紧急", "Urgent", 1),
            ("P2", "高", "High", 2),
            ("P3", "中", "Medium", 3),
            ("P4", "低", "Low", 4),
        ],
        "targets": {
            "P1": {M.FIRST_RESPONSE: 2 * H},
            "P2": {M.FIRST_RESPONSE: 4 * H},
            "P3": {M.FIRST_RESPONSE: 6 * H},
            "P4": {M.FIRST_RESPONSE: 24 * H},
        },
    },
    "003": {
        "name": "003 上门服务",
        "priorities": [("P1", "紧急", "Urgent", 1), ("P2", "普通", "Normal", 2), ("P3", "低", "Low", 3)],
        "targets": {
            "P1": {M.FIRST_RESPONSE: 2 * H, M.ONSITE: 24 * H, M.CALLBACK: 24 * H},
            "P2": {M.FIRST_RESPONSE: 48 * H, M.CALLBACK: 24 * H},
            "P3": {M.FIRST_RESPONSE: 72 * H, M.CALLBACK: 24 * H},
        },
    },
}
DEFAULT_SLA_PRESET = "001"
URGENT_PRIORITY = "P1"
DEFAULT_WARN_PERCENT = 75
DEFAULT_PAUSING_STATUSES = ["waiting_customer"]
# After the supervisor (level 2, at the breach): the after-sales manager, then the service director.
DEFAULT_ESCALATIONS = [(3, "aftersales_manager", 2 * H), (4, "service_director", 8 * H)]


def calendar_for(priority: str) -> str:
    return ROUND_THE_CLOCK if priority == URGENT_PRIORITY else WORKDAY
