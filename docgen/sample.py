"""Realistic synthetic sessions for demos, tests and benchmarks (`titlecert sample`).

Valid check characters, current Chongqing district codes, employers with valid credit codes,
achievements dated after the current title, publicity periods counted on the official calendar,
fees paid in the notice's window, a few applications ended other than by the vote (评审终止, 不予受理,
公示异议属实), and generated photos (silhouettes, not people). Deterministic for a given seed.
"""

import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from docgen.identity import (
    CHONGQING_DISTRICTS,
    CREDIT_ALPHABET,
    IdType,
    credit_check_char,
    gb11643_check_char,
)
from docgen.models import (
    AchievementCategory,
    AssessmentResult,
    Level,
    ReportingChain,
    ReviewSession,
    Route,
)
from docgen.workdays import WorkCalendar

SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
) + ["欧阳", "司马", "上官", "诸葛"]
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉晨宇浩然子涵欣怡俊杰梓轩雨桐思远嘉怡志强建国晓东海燕红梅婷婷"
)
COMPANIES = [
    "数智科技",
    "云算网络",
    "渝信数据",
    "山城智能",
    "两江大数据",
    "巴渝算力",
    "嘉陵软件",
    "长江信息",
    "朝天门物联",
    "缙云人工智能",
    "西部数据港",
    "金佛山云",
]
SUFFIXES = ["有限公司", "股份有限公司", "研究院有限公司"]
PUBLIC_BODIES = ["大数据发展中心", "信息中心", "智慧城市运行中心", "政务数据服务中心"]
SCHOOLS = ["重庆大学", "西南大学", "重庆邮电大学", "重庆交通大学", "重庆理工大学", "电子科技大学", "四川大学"]
MAJORS = ["计算机科学与技术", "软件工程", "数据科学与大数据技术", "通信工程", "电子信息工程", "人工智能"]
ROLES = ["项目负责人", "第一作者", "第一完成人", "主要完成人（排名第2）", "主要完成人（排名第3）", "通讯作者"]
TITLES = {
    AchievementCategory.WORK_RESULT: "{}数据治理平台建设",
    AchievementCategory.RESEARCH_PROJECT: "面向{}的大数据智能分析关键技术研究",
    AchievementCategory.PAPER: "基于深度学习的{}数据融合方法",
    AchievementCategory.BOOK: "{}大数据应用实践",
    AchievementCategory.TECHNICAL_REPORT: "{}数字化转型技术报告",
    AchievementCategory.AWARD: "{}智能化应用成果奖",
    AchievementCategory.PATENT: "一种{}数据处理方法及系统",
    AchievementCategory.SOFTWARE_COPYRIGHT: "{}智能调度软件V2.0",
    AchievementCategory.STANDARD: "{}数据共享技术规范",
}
TOPICS = ["城市交通", "智慧医疗", "工业互联网", "政务服务", "智慧农业", "能源调度", "文旅服务", "金融风控"]
SUMMARY = (
    "任现职以来，本人在{employer}从事大数据智能化相关专业技术工作，主持或参与{topic}等领域的数据平台建设、"
    "数据治理和智能分析项目，取得业绩成果{n}项。坚持理论与实践相结合，注重团队培养和技术标准化，"
    "所承担项目均通过验收并在行业内推广应用。"
)
BACKGROUNDS = [(67, 142, 219), (255, 255, 255), (200, 30, 40)]


def credit_code(rng: random.Random, prefix: str) -> str:
    body = prefix + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(17 - len(prefix)))
    return body + credit_check_char(body)


def resident_id(rng: random.Random, birth: dt.date, male: bool, area: str) -> str:
    seq = rng.randrange(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + gb11643_check_char(body)


def photo_png(rng: random.Random) -> bytes:
    img = Image.new("RGB", (260, 360), rng.choice(BACKGROUNDS))
    d = ImageDraw.Draw(img)
    tone = rng.randrange(90, 140)
    d.ellipse((80, 60, 180, 180), fill=(tone, tone, tone + 5))
    d.rounded_rectangle((30, 200, 230, 420), radius=90, fill=(tone - 30, tone - 30, tone - 24))
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def generate(applicants: int, *, seed: int = 2025) -> tuple[ReviewSession, dict[str, bytes]]:
    """A session with `applicants` applicants and their photos ({relative path: PNG})."""
    rng = random.Random(seed)
    cal = WorkCalendar()
    sitting_start, sitting_end = dt.date(2025, 12, 20), dt.date(2025, 12, 21)
    results_start = cal.nth_workday(sitting_end, 1, inclusive=False)
    results_end = cal.nth_workday(results_start, 5, inclusive=True)
    people: list[dict[str, object]] = []
    photos: dict[str, bytes] = {}
    used: set[str] = set()
    # Outcomes draw from a stream of their own, so that adding them left every other value as it was.
    endings = random.Random(f"{seed}/outcomes")
    for i in range(applicants):
        name, ident = _person(rng, used)
        person = _applicant(rng, cal, i, name, ident, sitting_start)
        people.append(_outcome(endings, person, sitting_start, results_start))
        photos[f"photos/applicant-{i + 1:04d}.png"] = photo_png(rng)
    doc = {
        "committee": {
            "name": "重庆市工程技术大数据智能化专业高级职称评审委员会",
            "series": "工程技术",
            "speciality": "大数据智能化",
            "levels": ["正高级", "副高级"],
            "members": 25,
            "organiser": "重庆市大数据应用发展管理局",
            "address": "重庆市渝北区金开大道1号（职改办公室）",
            "phone": "023-67000000",
        },
        "sitting": {
            "start": sitting_start.isoformat(),
            "end": sitting_end.isoformat(),
            "present": 21,
            "location": "重庆市渝北区金开大道1号 评审会议室",
            "expert_pool": 60,
        },
        "approval": {
            "authority": "重庆市职称改革办公室",
            "authority_credit_code": credit_code(rng, "11500000"),
            "document_no": "渝职改办〔2026〕12号",
            "date": cal.nth_workday(results_end, 10, inclusive=False).isoformat(),
        },
        "cutoff": "2025-12-31",
        "results_publicity": {"start": results_start.isoformat(), "end": results_end.isoformat()},
        "report_submitted_on": cal.nth_workday(sitting_end, 3, inclusive=False).isoformat(),
        "applicants": people,
    }
    return ReviewSession.model_validate(doc), photos


def _person(rng: random.Random, used: set[str]) -> tuple[str, dict[str, str]]:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        male = rng.random() < 0.55
        birth = dt.date(rng.randrange(1968, 1994), rng.randrange(1, 13), rng.randrange(1, 29))
        roll = rng.random()
        if roll < 0.06:
            id_type, number = (
                IdType.HMT_RESIDENCE_PERMIT,
                resident_id(rng, birth, male, rng.choice(["810000", "820000"])),
            )
        elif roll < 0.09:
            id_type, number = IdType.PASSPORT, "E" + "".join(rng.choice("0123456789") for _ in range(8))
        else:
            area = (
                rng.choice(list(CHONGQING_DISTRICTS))
                if rng.random() < 0.85
                else rng.choice(["510104", "420102"])
            )
            id_type, number = IdType.RESIDENT_ID, resident_id(rng, birth, male, area)
        if number not in used:
            used.add(number)
            return name, {
                "sex": "男" if male else "女",
                "birth_date": birth.isoformat(),
                "id_type": id_type.value,
                "id_number": number,
            }


def _applicant(
    rng: random.Random, cal: WorkCalendar, i: int, name: str, ident: dict[str, str], sitting_start: dt.date
) -> dict[str, object]:
    birth = dt.date.fromisoformat(ident["birth_date"])
    public = rng.random() < 0.35
    district = rng.choice(list(CHONGQING_DISTRICTS.values()))
    if public:
        employer = f"重庆市{district}{rng.choice(PUBLIC_BODIES)}"
        chain = rng.choice([ReportingChain.CITY, ReportingChain.DISTRICT])
        superior = (
            f"重庆市{district}大数据应用发展管理局"
            if chain is ReportingChain.DISTRICT
            else "重庆市大数据应用发展管理局"
        )
        code_prefix = "12500000"
    else:
        employer = f"重庆{rng.choice(COMPANIES)}{rng.choice(SUFFIXES)}"
        chain = rng.choice(
            [ReportingChain.NON_PUBLIC, ReportingChain.NON_PUBLIC, ReportingChain.CENTRAL_OR_EXTERNAL]
        )
        superior = (
            "重庆市人才交流服务中心" if chain is ReportingChain.NON_PUBLIC else "中国电信集团重庆分公司"
        )
        code_prefix = "91500000"
    senior = rng.random() < 0.8
    level, title = (Level.SENIOR, "高级工程师") if senior else (Level.FULL_SENIOR, "正高级工程师")
    current = {"name": "工程师", "level": "中级"} if senior else {"name": "高级工程师", "level": "副高级"}
    obtained = dt.date(rng.randrange(2016, 2021), rng.randrange(1, 13), 1)
    graduated = dt.date(birth.year + 22, 7, 1)
    categories = list(AchievementCategory)
    achievements = []
    for _ in range(rng.randrange(2, 7)):
        category = rng.choice(categories)
        day = obtained + dt.timedelta(days=rng.randrange(60, (dt.date(2025, 11, 30) - obtained).days))
        achievements.append(
            {
                "category": category.value,
                "title": TITLES[category].format(rng.choice(TOPICS)),
                "date": day.isoformat(),
                "role": rng.choice(ROLES),
            }
        )
    pub_start = cal.nth_workday(
        dt.date(2025, 10, 13) + dt.timedelta(days=rng.randrange(0, 20)), 1, inclusive=True
    )
    agree = (
        rng.choice([21, 20, 19, 18, 17, 16, 15, 14, 14, 13]) if rng.random() < 0.9 else rng.randrange(8, 14)
    )
    disagree = rng.randrange(0, 21 - agree + 1)
    return {
        "name": name,
        **ident,
        "photo": f"photos/applicant-{i + 1:04d}.png",
        "employer": {
            "name": employer,
            "credit_code": credit_code(rng, code_prefix),
            "contact": rng.choice(SURNAMES) + "老师",
            "phone": f"023-6{rng.randrange(1000000, 9999999)}",
        },
        "reporting_chain": chain.value,
        "superior": {
            "name": superior,
            "contact": rng.choice(SURNAMES) + "科长",
            "phone": f"023-8{rng.randrange(1000000, 9999999)}",
        },
        "education": [
            {
                "school": rng.choice(SCHOOLS),
                "major": rng.choice(MAJORS),
                "degree": rng.choice(["本科", "本科", "硕士研究生"]),
                "graduated_on": graduated.isoformat(),
            }
        ],
        "work_history": [
            {
                "start": dt.date(graduated.year, 8, 1).isoformat(),
                "end": None,
                "employer": employer,
                "position": rng.choice(["工程师", "项目经理", "技术总监", "数据架构师"]),
            }
        ],
        "current_title": {**current, "obtained_on": obtained.isoformat(), "obtained_by": "评审"},
        "applied": {"series": "工程技术", "speciality": "大数据智能化", "title": title, "level": level.value},
        "route": rng.choice([Route.NORMAL] * 8 + [Route.RURAL, Route.AID]).value,
        "achievements": achievements,
        "assessments": [
            {
                "year": y,
                "result": rng.choice(
                    [AssessmentResult.COMPETENT.value] * 3 + [AssessmentResult.EXCELLENT.value]
                ),
            }
            for y in range(2021, 2026)
        ],
        "continuing_education": [{"year": y, "hours": rng.randrange(72, 121)} for y in range(2021, 2026)],
        "summary": SUMMARY.format(employer=employer, topic=TOPICS[i % len(TOPICS)], n=len(achievements)),
        "publicity": {
            "start": pub_start.isoformat(),
            "end": cal.nth_workday(pub_start, 5, inclusive=True).isoformat(),
        },
        "vote": {"agree": agree, "disagree": disagree, "abstain": 21 - agree - disagree},
        "returns": rng.choice([0] * 9 + [1]),
        **({"delegation": DELEGATION} if chain is ReportingChain.CENTRAL_OR_EXTERNAL else {}),
    }


DELEGATION = {
    "unit": "中国电信集团有限公司",
    "letter_no": "中国电信人函〔2025〕36号",
    "letter_date": "2025-09-01",
}
"""The 委托评审函 every central-enterprise applicant holds (the notice, item 四(一)5): one group's."""


NOT_ACCEPTED_RATE, TERMINATED_RATE, OBJECTION_UPHELD_RATE = 0.03, 0.015, 0.01
"""How often an application ends other than by the vote (a few in a few hundred)."""
FEE_DAYS = [dt.date(2025, 11, d) for d in range(10, 15)]
"""The notice's payment window (item 六(五))."""
AUDIT_END = dt.date(2025, 10, 31)
"""The notice's audit ends (item 三): an application is refused (不予受理) by then."""


def _outcome(
    rng: random.Random, person: dict[str, Any], sitting_start: dt.date, results_start: dt.date
) -> dict[str, Any]:
    """The fee paid, or the application ended: not accepted after a third return (it never reached
    申报完成, so nothing was paid), its review terminated, or an objection upheld after a pass."""
    roll = rng.random()
    if roll < NOT_ACCEPTED_RATE:
        publicity_end = dt.date.fromisoformat(person["publicity"]["end"])
        late = publicity_end + dt.timedelta(days=rng.randrange(5, 25))
        on = max(publicity_end + dt.timedelta(days=1), min(late, AUDIT_END))
        del person["vote"]
        return {
            **person,
            "returns": 3,
            "ending": _ending("not_accepted", on, "退回材料第3次提交评委会审核仍不符合要求"),
        }
    person = {**person, "fee_paid_on": rng.choice(FEE_DAYS).isoformat()}
    if roll < NOT_ACCEPTED_RATE + TERMINATED_RATE:
        del person["vote"]
        if rng.random() < 0.3:
            on = sitting_start - dt.timedelta(days=rng.randrange(1, 10))
            return {**person, "ending": _ending("terminated", on, "评审前接到投诉举报，经查证属实")}
        return {
            **person,
            "ending": _ending("terminated", sitting_start, "评审过程中发现业绩材料弄虚作假，经查证属实"),
        }
    passed = 3 * person["vote"]["agree"] >= 2 * sum(person["vote"].values())
    if passed and roll < NOT_ACCEPTED_RATE + TERMINATED_RATE + OBJECTION_UPHELD_RATE:
        on = results_start + dt.timedelta(days=rng.randrange(0, 4))
        reason = "结果公示期间接到实名举报，经调查核实，异议属实"
        return {**person, "ending": _ending("objection_upheld", on, reason)}
    return person


def _ending(kind: str, on: dt.date, reason: str) -> dict[str, str]:
    return {"kind": kind, "decided_on": on.isoformat(), "reason": reason}


def write_sample(out: Path, applicants: int, *, seed: int = 2025) -> ReviewSession:
    """Write a sample session as JSON or .xlsx (by suffix), with its photos beside it."""
    session, photos = generate(applicants, seed=seed)
    for rel, data in photos.items():
        (out.parent / rel).parent.mkdir(parents=True, exist_ok=True)
        (out.parent / rel).write_bytes(data)
    if out.suffix.lower() == ".xlsx":
        from docgen.xlsx import write_workbook

        write_workbook(out, session)
    else:
        out.write_text(session.model_dump_json(indent=2, exclude_none=True) + "\n", encoding="utf-8")
    return session
