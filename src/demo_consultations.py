"""Demo data for 网上咨询: questions on the board — answered and published, answered
privately, open, and one open past its answer date (a CONSULTATION_LATE card once the
watcher runs) — and one service guide changed by an administrator (version 2)."""

from __future__ import annotations

import datetime as dt

from xuke.application.clock import SettableClock
from xuke.application.consultation import ConsultationCommands
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.domain.consultation import GuideWindow
from xuke.domain.model import SHANGHAI, local_date
from xuke.domain.roles import Role

QUESTIONS = [  # (item, question, answer or None, published, days ago)
    ("GYCP-SCXK", "委托其他企业加工电线电缆，委托方需要取得生产许可证吗？",
     "需要。委托方和被委托方均应取得相应产品的生产许可证，委托加工的产品以委托方名义标注许可证编号。", True, 30),
    ("GYCP-SCXK", "生产许可证有效期届满后如何延续？",
     "应在有效期届满 6 个月前提出延续申请（《工业产品生产许可证管理条例》），可在本系统在线申报。", True, 21),
    ("TZSB-SCXK", "压力容器制造单位许可的鉴定评审时间计入办理时限吗？",
     "不计入。依法需要鉴定评审的，所需时间不计算在审查期限内（《行政许可法》第四十五条）。", True, 14),
    ("JLQJ-XSPZ", "型式评价需要送几台样机？", "请按型式评价大纲要求送样，一般为 2 至 3 台，已电话告知。", False, 10),
    ("JYJC-ZZRD", "检验检测机构资质认定可以全程网上办理吗？", None, False, 2),
    ("GYCP-SCXK", "营业执照复印件需要加盖公章吗？", None, False, 12),  # past its date: late
]  # fmt: skip


def seed_demo_consultations(app: LicensingApplication, clock: SettableClock) -> int:
    commands = ConsultationCommands(app)
    today = local_date(dt.datetime.now(dt.UTC))
    admin = Principal("admin-1", frozenset({Role.ADMIN}), "440000", "440000", "管理员")
    clock.set(dt.datetime.combine(today - dt.timedelta(days=40), dt.time(10), SHANGHAI))
    commands.update_guide(
        admin, "TZSB-SCXK",
        ["依法设立的企业法人或者其他组织", "有与生产相适应的专业技术人员",
         "有与生产相适应的设备、设施和工作场所", "有健全的质量保证、安全管理和岗位责任等制度（《特种设备安全法》第十八条）"],
        ["申请：在线申报或到窗口提交申请材料", "受理：5 个工作日内作出是否受理的决定",
         "鉴定评审：鉴定评审机构现场评审（不计入审查期限）", "决定：20 个工作日内作出决定",
         "送达：10 个工作日内颁发许可证"],
        "不收费（《行政许可法》第五十八条）",
        [GuideWindow(org_code="440000", name="广东省政务服务中心 特种设备窗口", address="广州市天河区（示例地址）",
                     hours="工作日 9:00-12:00，13:30-17:00", phone="020-12345679（示例）")],
    )  # fmt: skip
    for n, (item, question, answer, published, days_ago) in enumerate(QUESTIONS):
        asked_on = today - dt.timedelta(days=days_ago)
        clock.set(dt.datetime.combine(asked_on, dt.time(9 + n % 6), SHANGHAI))
        asked = commands.ask(None, item, question, f"1380013{n:04d}").case
        if answer is not None:
            clock.set(dt.datetime.combine(asked_on + dt.timedelta(days=1), dt.time(15), SHANGHAI))
            handler = Principal(
                f"{asked.authority}-handler-1", frozenset({Role.HANDLER}), asked.authority,
                asked.authority, "Handler 1",
            )  # fmt: skip
            commands.answer(handler, asked.id, answer, published)
    return len(QUESTIONS)
