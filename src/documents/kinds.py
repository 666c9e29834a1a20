"""One builder per ``DocumentKind``: a pure function from the aggregate as it stood when the
document was called for (a ``LicenseCase`` or ``Licence`` at that event's version), the
catalogue item, the authority's name, the document's number (文号) and its issue date, to the
document's words (``DocumentContent``). The same inputs give the same content, and
``render`` gives the same bytes.

Law = 《中华人民共和国行政许可法》; SAMR = 《市场监督管理行政许可程序暂行规定》.

Two facts the licence's state does not keep are passed from the event that calls for the
document: a revocation's or withdrawal's reason (``LicenceRevoked.reason``) and a
cancellation's ground and note (``LicenceCancelled``). A service receipt names the documents
served; without them it names the decision by its title.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from xuke.documents.content import CertificateDetails, DocumentContent, chinese_date
from xuke.domain.case import REMEDIES_NOTICE, LicenseCase
from xuke.domain.case_records import ApplicantRecord
from xuke.domain.catalogue import LicenseItem
from xuke.domain.documents import DocumentKind
from xuke.domain.licence import CancellationGround, Licence, LicenceStatus, ProceedingKind
from xuke.domain.model import local_date
from xuke.domain.stages import (
    APPLICATION_KINDS,
    SUSPENSION_REASONS,
    TERMINATION_GROUNDS,
    ApplicationKind,
    HearingBasis,
    HearingStatus,
    ServiceMethod,
)

LAW = "《中华人民共和国行政许可法》"
SAMR = "《市场监督管理行政许可程序暂行规定》"
SERVICE_RULES = "《市场监督管理行政处罚程序规定》"

SERVICE_METHODS = {
    ServiceMethod.DIRECT: "直接送达",
    ServiceMethod.MAIL: "邮寄送达",
    ServiceMethod.ELECTRONIC: "电子送达",
    ServiceMethod.PUBLIC_NOTICE: "公告送达",
    ServiceMethod.LEFT_AT_ADDRESS: "留置送达",
    ServiceMethod.ENTRUSTED: "委托送达",
}

CANCELLATION_GROUNDS: dict[CancellationGround, tuple[str, str]] = {
    CancellationGround.EXPIRED_NOT_RENEWED: ("（一）", "行政许可有效期届满未延续"),
    CancellationGround.PERSON_DECEASED_OR_INCAPABLE: ("（二）", "该公民死亡或者丧失行为能力"),
    CancellationGround.ORGANISATION_TERMINATED: ("（三）", "被许可人依法终止"),
    CancellationGround.REVOKED_OR_WITHDRAWN: ("（四）", "行政许可依法被撤销、撤回"),
    CancellationGround.FORCE_MAJEURE: ("（五）", "因不可抗力导致行政许可事项无法实施"),
    CancellationGround.OTHER_BY_LAW: ("（六）", "法律、法规规定的应当注销行政许可的其他情形"),
}

SCOPE_LABELS = {
    "products": "产品名称",
    "product": "产品名称",
    "categories": "产品类别",
    "units": "产品单元",
    "address": "生产地址",
    "site": "生产地址",
    "equipment": "设备类别",
    "items": "许可项目",
}

TITLES = {
    DocumentKind.RECEIPT: "申请材料接收凭证",
    DocumentKind.ACCEPTANCE_NOTICE: "受理通知书",
    DocumentKind.CORRECTION_NOTICE: "补正材料通知书",
    DocumentKind.NON_ACCEPTANCE_DECISION: "不予受理决定书",
    DocumentKind.SUSPENSION_NOTICE: "特别程序告知书",
    DocumentKind.EXTENSION_NOTICE: "延长行政许可期限告知书",
    DocumentKind.HEARING_NOTICE: "听证告知书",
    DocumentKind.GRANT_DECISION: "准予行政许可决定书",
    DocumentKind.DENIAL_DECISION: "不予行政许可决定书",
    DocumentKind.CERTIFICATE: "行政许可证书",
    DocumentKind.SERVICE_RECEIPT: "送达回证",
    DocumentKind.TERMINATION_NOTICE: "终止行政许可程序通知书",
    DocumentKind.PROCEEDINGS_NOTICE: "撤销行政许可告知书",
    DocumentKind.REVOCATION_DECISION: "撤销行政许可决定书",
    DocumentKind.CANCELLATION_NOTICE: "行政许可注销公告",
}


class DocumentNotDue(ValueError):
    """The aggregate, as given, has not reached the step this document records."""


# ---------------------------------------------------------------- shared wording


def chinese_datetime(moment: dt.datetime) -> str:
    from xuke.domain.model import SHANGHAI

    local = moment.astimezone(SHANGHAI)
    return f"{chinese_date(local.date())}{local.hour}时{local.minute:02d}分"


def _you(applicant: ApplicantRecord) -> str:
    return "你单位" if applicant.kind == "ENTERPRISE" else "你"


def _identity(person: ApplicantRecord) -> tuple[str, str]:
    if person.kind == "ENTERPRISE":
        return "统一社会信用代码", person.credit_code or ""
    return "身份证号码", person.id_number or ""


def _applicant_parties(case: LicenseCase, item: LicenseItem) -> tuple[tuple[str, str], ...]:
    label = "申请人"
    parties = [(label, case.applicant.name), _identity(case.applicant)]
    parties += [("住所" if case.applicant.kind == "ENTERPRISE" else "住址", case.applicant.address)]
    kind = "" if case.kind is ApplicationKind.NEW else f"（{APPLICATION_KINDS[case.kind.value]}）"
    parties += [("许可事项", f"{item.name}{kind}"), ("受理编号", case.case_no)]
    if case.licence_no:
        parties.append(("许可证编号", case.licence_no))
    return tuple(parties)


def _holder_parties(licence: Licence) -> tuple[tuple[str, str], ...]:
    return (
        ("被许可人", licence.holder.name),
        _identity(licence.holder),
        ("住所" if licence.holder.kind == "ENTERPRISE" else "住址", licence.holder.address),
        ("许可事项", licence.item_name),
        ("许可证编号", licence.certificate_no),
    )


def _material_names(item: LicenseItem, codes: Sequence[str]) -> tuple[str, ...]:
    names = {m.code: m.name for m in item.materials}
    return tuple(names.get(code, code) for code in codes)


def _received(case: LicenseCase) -> str:
    return chinese_date(local_date(case.received_at))


def _application(case: LicenseCase, item: LicenseItem) -> str:
    """ "你单位于2026年9月28日提出的工业产品生产许可证核发申请（受理编号：…）"."""
    return f"{_you(case.applicant)}于{_received(case)}提出的{item.name}申请（受理编号：{case.case_no}）"


def _statute(text: str) -> str:
    """The catalogue's short citations in full: 《行政许可法》 → 《中华人民共和国行政许可法》."""
    return text.replace("《行政许可法》", LAW)


def _item_basis(item: LicenseItem) -> tuple[str, ...]:
    """The item's own statutes, from the catalogue's ``legal_basis`` ("A (note); B; …"):
    notes in parentheses dropped, the Licensing Law left out (it is cited by article)."""
    depth, parts, current = 0, [], ""
    for char in item.legal_basis:
        depth += char in "(（"
        depth -= char in ")）"
        if char in ";；" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    cleaned = (re.sub(r"\s*[(（][^()（）]*[)）]", "", part).strip() for part in parts)
    return tuple(p for p in cleaned if p and "行政许可法" not in p)


def _holder_remedies(remedies: str = REMEDIES_NOTICE) -> str:
    return remedies.replace("申请人", "被许可人")


def _content(
    kind: DocumentKind,
    *,
    authority: str,
    number: str,
    issued_on: dt.date,
    addressee: str | None,
    **fields: Any,
) -> DocumentContent:
    fields.setdefault("title", TITLES[kind])
    return DocumentContent(
        kind=kind,
        number=number,
        authority=authority,
        issued_on=issued_on,
        addressee=f"{addressee}：" if addressee else None,
        **fields,
    )


def _require(condition: object, what: str) -> None:
    if not condition:
        raise DocumentNotDue(what)


# ---------------------------------------------------------------- the case (Law 29-45)


def receipt(
    case: LicenseCase, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """申请材料接收凭证 (SAMR 14; Law 32): what was received, when; not yet an acceptance."""
    channel = "网上提交" if case.channel == "ONLINE" else "窗口提交"
    return _content(
        DocumentKind.RECEIPT, authority=authority, number=number, issued_on=issued_on,
        addressee=case.applicant.name, parties=_applicant_parties(case, item),
        facts=(
            f"本机关于{chinese_datetime(case.received_at)}收到{_you(case.applicant)}"
            f"{channel}的{item.name}申请材料，共{len(case.materials)}项。",
        ),
        materials_heading="收到的申请材料：",
        materials=_material_names(item, case.materials),
        body=(
            "本凭证仅证明本机关已收到上述申请材料，不表示申请已被受理。本机关将自收到申请材料之日起"
            "五个工作日内作出受理、不予受理或者一次告知补正的决定；逾期不告知补正的，"
            "自收到申请材料之日起即为受理。",
        ),
        legal_basis=(f"{LAW}第三十二条", f"{SAMR}第十四条"),
    )  # fmt: skip


def acceptance_notice(
    case: LicenseCase, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """受理通知书 (Law 32(5)): the acceptance date and the decision limit."""
    _require(case.accepted_on, "申请尚未受理")
    assert case.accepted_on is not None
    facts = [f"{_application(case, item)}，申请材料齐全、符合法定形式。"]
    if case.correction_received_on:
        facts.append(
            f"{_you(case.applicant)}已于{chinese_date(case.correction_received_on)}"
            "按照补正材料通知书的要求提交了全部补正材料。"
        )
    if case.deemed_accepted:
        decided = f"本机关未在法定期限内作出受理决定，依法自收到申请材料之日起即为受理，受理日期为{chinese_date(case.accepted_on)}。"
    else:
        decided = f"根据{LAW}第三十二条第一款第（五）项的规定，本机关决定予以受理，受理日期为{chinese_date(case.accepted_on)}。"
    limit = (
        f"本机关将自受理之日起{case.legal_time_limit_days}个工作日内作出行政许可决定"
        f"（{_statute(item.legal_time_limit_article)}）"
    )
    if case.committed_time_limit_days:
        limit += f"，并承诺在{case.committed_time_limit_days}个工作日内办结"
    limit += "。依法需要听证、检验、检测、鉴定或者专家评审的，所需时间不计算在上述期限内。"
    return _content(
        DocumentKind.ACCEPTANCE_NOTICE, authority=authority, number=number, issued_on=issued_on,
        addressee=case.applicant.name, parties=_applicant_parties(case, item),
        facts=tuple(facts),
        body=(decided, limit, f"请凭受理编号{case.case_no}查询办理进度。"),
        legal_basis=(
            f"{LAW}第三十二条第一款第（五）项", _statute(item.legal_time_limit_article), f"{LAW}第四十五条",
        ),
    )  # fmt: skip


def correction_notice(
    case: LicenseCase, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """补正材料通知书 (Law 32(4), SAMR 15): every missing material, once, with the period."""
    notice = case.correction
    _require(notice, "没有补正告知")
    assert notice is not None
    period = notice.period_days
    body = [f"补正说明：{notice.note.rstrip('。')}。"]
    if period:
        extended = (
            f"（已延长{case.correction_extended_by}个工作日）"
            if case.correction_extended_by
            else ""
        )
        body.append(
            f"请于收到本通知书之日起{period}个工作日内{extended}一次性提交上述全部补正材料。"
            "逾期未提交的，视为放弃行政许可申请；有正当理由的，可以在期限届满前申请延长一次。"
        )
    body.append("本机关自收到全部补正材料之日起五个工作日内作出是否受理的决定。")
    return _content(
        DocumentKind.CORRECTION_NOTICE, authority=authority, number=number, issued_on=issued_on,
        addressee=case.applicant.name, parties=_applicant_parties(case, item),
        facts=(
            f"{_application(case, item)}，经审查，申请材料不齐全或者不符合法定形式。"
            f"根据{LAW}第三十二条第一款第（四）项的规定，现一次告知{_you(case.applicant)}需要补正的全部内容。",
        ),
        materials_heading="需要补正的材料：",
        materials=_material_names(item, notice.missing_materials),
        body=tuple(body),
        legal_basis=(f"{LAW}第三十二条第一款第（四）项", f"{SAMR}第十五条"),
    )  # fmt: skip


def non_acceptance_decision(
    case: LicenseCase, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """不予受理决定书 (Law 32(2)-(3)): the reasons and the remedies."""
    _require(case.status.value == "NOT_ACCEPTED", "申请未被不予受理")
    return _content(
        DocumentKind.NON_ACCEPTANCE_DECISION, authority=authority, number=number,
        issued_on=issued_on, addressee=case.applicant.name,
        parties=_applicant_parties(case, item),
        facts=(f"{_application(case, item)}，经审查：{(case.closing_reason or '').rstrip('。')}。",),
        body=(f"根据{LAW}第三十二条第一款的规定，本机关决定不予受理。",),
        legal_basis=(f"{LAW}第三十二条第一款",),
        remedies=(REMEDIES_NOTICE,),
    )  # fmt: skip


def suspension_notice(
    case: LicenseCase, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """特别程序告知书 (Law 45): which procedure, why, how long; its time does not count."""
    _require(case.suspensions, "没有中止计时")
    suspension = case.suspensions[-1]
    what = SUSPENSION_REASONS[suspension.reason.value]
    return _content(
        DocumentKind.SUSPENSION_NOTICE, authority=authority, number=number, issued_on=issued_on,
        addressee=case.applicant.name, parties=_applicant_parties(case, item),
        facts=(f"{_application(case, item)}，本机关已于{chinese_date(case.accepted_on or issued_on)}受理。",),
        body=(
            f"特别程序：{what}。",
            f"理由：{suspension.note.rstrip('。')}。",
            f"所需时间：自{chinese_date(suspension.start)}起，预计需要{suspension.expected_working_days}个工作日。",
            f"根据{LAW}第四十五条的规定，{what}所需时间不计算在行政许可期限内。"
            f"{what}结束后，本机关将恢复计算审查期限，并依法作出决定。",
        ),
        legal_basis=(f"{LAW}第四十五条", f"{SAMR}第三十四条"),
    )  # fmt: skip


def extension_notice(
    case: LicenseCase, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """延长行政许可期限告知书 (Law 42): approved by the head, the reasons told."""
    _require(case.extended, "期限未延长")
    return _content(
        DocumentKind.EXTENSION_NOTICE, authority=authority, number=number, issued_on=issued_on,
        addressee=case.applicant.name, parties=_applicant_parties(case, item),
        facts=(
            f"{_application(case, item)}，本机关已于{chinese_date(case.accepted_on or issued_on)}受理，"
            f"法定审查期限为{case.legal_time_limit_days}个工作日。",
        ),
        body=(
            f"延长理由：{(case.extension_reason or '').rstrip('。')}。",
            f"本机关不能在上述期限内作出决定，经本机关负责人批准，根据{_statute(item.extension_source)}的规定，"
            f"决定将审查期限延长{case.extension_added}个工作日。",
        ),
        legal_basis=(_statute(item.extension_source),),
    )  # fmt: skip


def hearing_notice(
    case: LicenseCase, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """听证告知书 (Law 47: the right, 5 days to ask) or, once scheduled, 听证通知书 (Law 48(1):
    time, place and presiding officer, 7 days ahead)."""
    hearing = case.hearing
    _require(hearing, "没有听证")
    assert hearing is not None
    you = _you(case.applicant)
    if hearing.scheduled_at is not None and hearing.status in (
        HearingStatus.SCHEDULED, HearingStatus.HELD,
    ):  # fmt: skip
        return _content(
            DocumentKind.HEARING_NOTICE, authority=authority, number=number,
            issued_on=issued_on, title="听证通知书", addressee=case.applicant.name,
            parties=_applicant_parties(case, item),
            facts=(f"就{_application(case, item)}，本机关决定举行听证。",),
            body=(
                f"听证时间：{chinese_datetime(hearing.scheduled_at)}。",
                f"听证地点：{hearing.place or ''}。",
                f"听证主持人：{hearing.presiding_officer or ''}。",
                f"{you}认为主持人与该行政许可事项有直接利害关系的，有权申请回避。"
                f"{you}可以提出证据，并进行申辩和质证。听证应当制作笔录，本机关将根据听证笔录作出行政许可决定。",
                f"{you}无正当理由不参加听证的，视为放弃听证权利。",
            ),
            legal_basis=(f"{LAW}第四十八条", f"{LAW}第四十五条"),
        )  # fmt: skip
    if hearing.basis is HearingBasis.PUBLIC_INTEREST:
        body: tuple[str, ...] = (
            f"该许可事项属于涉及公共利益的重大行政许可事项，根据{LAW}第四十六条的规定，本机关将举行听证，"
            "听证的时间、地点将另行通知。",
            f"说明：{hearing.note.rstrip('。')}。",
        )
        basis: tuple[str, ...] = (f"{LAW}第四十六条", f"{LAW}第四十五条")
    else:
        body = (
            f"该许可事项直接关系他人重大利益。根据{LAW}第四十七条的规定，{you}及利害关系人享有要求听证的权利。",
            f"说明：{hearing.note.rstrip('。')}。",
            f"{you}要求听证的，应当自收到本告知书之日起五日内提出听证申请；逾期未提出的，视为放弃听证权利。"
            "本机关将在收到听证申请之日起二十日内组织听证。",
        )
        basis = (f"{LAW}第四十七条", f"{LAW}第四十五条")
    return _content(
        DocumentKind.HEARING_NOTICE, authority=authority, number=number, issued_on=issued_on,
        addressee=case.applicant.name, parties=_applicant_parties(case, item),
        facts=(f"{_application(case, item)}，本机关于{chinese_date(hearing.notified_on)}告知听证事项。",),
        body=(*body, "听证期间不计算在行政许可期限内。"),
        legal_basis=basis,
    )  # fmt: skip


def _decision_facts(case: LicenseCase, item: LicenseItem) -> list[str]:
    facts = [
        f"{_application(case, item)}，本机关于{chinese_date(case.accepted_on or case.decided_on or dt.date.min)}受理。"
    ]
    if case.hearing is not None and case.hearing.held_on is not None:
        facts.append(
            f"本机关于{chinese_date(case.hearing.held_on)}举行了听证，本决定根据听证笔录作出。"
        )
    return facts


def grant_decision(
    case: LicenseCase, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """准予行政许可决定书 (Law 38(1)); the certificate follows within 10 working days (Law 44)."""
    _require(case.decision == "GRANTED", "未作出准予许可决定")
    facts = _decision_facts(case, item)
    facts.append(
        "经审查，申请符合法定条件、标准。"
        + (f"审查意见：{case.decision_reason.rstrip('。')}。" if case.decision_reason else "")
    )
    body = [
        f"根据{LAW}第三十八条第一款及{'、'.join(_item_basis(item))}的规定，本机关决定准予行政许可。"
    ]
    if case.kind is ApplicationKind.CANCELLATION:
        body = [f"根据{LAW}第七十条的规定，本机关决定准予注销许可证{case.licence_no or ''}。"]
    elif case.kind is ApplicationKind.NEW:
        term = (
            f"有效期为{case.certificate_validity_years}年"
            if case.certificate_validity_years
            else "长期有效"
        )
        body.append(
            f"本机关将自作出决定之日起十个工作日内向{_you(case.applicant)}颁发、送达行政许可证书，{term}。"
        )
    return _content(
        DocumentKind.GRANT_DECISION, authority=authority, number=number, issued_on=issued_on,
        addressee=case.applicant.name, parties=_applicant_parties(case, item),
        facts=tuple(facts), body=tuple(body),
        legal_basis=(f"{LAW}第三十八条第一款", f"{LAW}第四十四条", *_item_basis(item)),
    )  # fmt: skip


def denial_decision(
    case: LicenseCase, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """不予行政许可决定书 (Law 38(2)): the reasons and the remedies, in writing."""
    _require(case.decision == "DENIED", "未作出不予许可决定")
    facts = _decision_facts(case, item)
    facts.append(
        f"经审查，{_you(case.applicant)}的申请不符合法定条件、标准，理由如下："
        f"{(case.decision_reason or '').rstrip('。')}。"
    )
    return _content(
        DocumentKind.DENIAL_DECISION, authority=authority, number=number, issued_on=issued_on,
        addressee=case.applicant.name, parties=_applicant_parties(case, item),
        facts=tuple(facts),
        body=(f"根据{LAW}第三十八条第二款及{'、'.join(_item_basis(item))}的规定，本机关决定不予行政许可。",),
        legal_basis=(f"{LAW}第三十八条第二款", *_item_basis(item)),
        remedies=(REMEDIES_NOTICE,),
    )  # fmt: skip


def _scope_lines(scope: object) -> tuple[tuple[str, str], ...]:
    if not scope:
        return ()
    if not isinstance(scope, dict):
        return (("许可范围", str(scope)),)
    lines = []
    for key in sorted(scope):
        value = scope[key]
        text = "、".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        lines.append((SCOPE_LABELS.get(key, str(key)), text))
    return tuple(lines)


def certificate(
    source: LicenseCase | Licence,
    *,
    item: LicenseItem,
    authority: str,
    issued_on: dt.date,
    verify_base: str,
    number: str | None = None,
) -> DocumentContent:
    """行政许可证书 (Law 39): holder, scope, validity, number, and a QR code to
    ``{verify_base}/verify/{number}``. The document's number is the certificate's own."""
    scope: object
    if isinstance(source, Licence):
        holder, scope = source.holder, source.scope
        cert_no, valid_from, valid_to = source.certificate_no, source.valid_from, source.valid_to
    else:
        _require(source.certificate_no and source.valid_from, "尚未制证")
        assert source.certificate_no is not None and source.valid_from is not None
        holder, scope = source.applicant, source.form.get("scope")
        cert_no, valid_from, valid_to = source.certificate_no, source.valid_from, source.valid_to
    number = number or cert_no
    id_label, id_value = _identity(holder)
    details = CertificateDetails(
        holder=holder.name, holder_id_label=id_label, holder_id=id_value,
        address=holder.address, item_name=item.name, scope=_scope_lines(scope),
        valid_from=valid_from, valid_to=valid_to, certificate_no=cert_no,
        verify_url=f"{verify_base.rstrip('/')}/verify/{number}",
    )  # fmt: skip
    return _content(
        DocumentKind.CERTIFICATE, authority=authority, number=number, issued_on=issued_on,
        addressee=None, parties=(("持证人", holder.name), (id_label, id_value)),
        legal_basis=(f"{LAW}第三十九条", *_item_basis(item)), certificate=details,
    )  # fmt: skip


def service_receipt(
    case: LicenseCase,
    *,
    item: LicenseItem,
    authority: str,
    number: str,
    issued_on: dt.date,
    documents: Sequence[str] = (),
) -> DocumentContent:
    """送达回证 (Law 44; SAMR 62 → the penalty procedure rules 82-83): what was served, how,
    when, where, to whom; the recipient signs."""
    service = case.service
    _require(service, "尚未送达")
    assert service is not None
    if not documents:
        decision = "准予行政许可决定书" if case.decision == "GRANTED" else "不予行政许可决定书"
        documents = (
            decision,
            *((f"行政许可证书（{case.certificate_no}）",) if case.certificate_no else ()),
        )
    place = case.applicant.address
    if service.method is ServiceMethod.ELECTRONIC:
        place = str(case.form.get("electronicServiceAddress") or place)
    body = [
        f"送达文书：{'；'.join(documents)}。",
        f"送达方式：{SERVICE_METHODS[service.method]}。",
        f"送达时间：{chinese_datetime(service.served_at)}。",
        f"送达地点：{place}。",
    ]
    if service.deemed_served_on != local_date(service.served_at):
        body.append(f"视为送达日期：{chinese_date(service.deemed_served_on)}（公告期满）。")
    if service.reason:
        body.append(f"送达说明：{service.reason.rstrip('。')}。")
    if service.proof:
        body.append(f"送达凭证：{service.proof}。")
    body += ["受送达人（签名或者盖章）：＿＿＿＿＿＿＿＿", "送达人（签名）：＿＿＿＿＿＿＿＿"]
    basis: tuple[str, ...] = (f"{SAMR}第六十二条", f"{SERVICE_RULES}第八十二条、第八十三条")
    if case.decision == "GRANTED":
        basis = (f"{LAW}第四十四条", *basis)
    return _content(
        DocumentKind.SERVICE_RECEIPT, authority=authority, number=number, issued_on=issued_on,
        addressee=None,
        parties=(("受送达人", case.applicant.name), _identity(case.applicant),
                 ("许可事项", item.name), ("受理编号", case.case_no)),
        body=tuple(body), legal_basis=basis,
    )  # fmt: skip


def termination_notice(
    case: LicenseCase, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """终止行政许可程序通知书 (SAMR 30-31): the ground, the reasons, the remedies."""
    _require(case.termination_ground, "程序未终止")
    assert case.termination_ground is not None
    ground = TERMINATION_GROUNDS[case.termination_ground.value]
    return _content(
        DocumentKind.TERMINATION_NOTICE, authority=authority, number=number, issued_on=issued_on,
        addressee=case.applicant.name, parties=_applicant_parties(case, item),
        facts=(
            f"{_application(case, item)}，本机关于{chinese_date(case.accepted_on or issued_on)}受理。",
            f"终止情形：{ground}。",
            f"具体理由：{(case.closing_reason or '').rstrip('。')}。",
        ),
        body=(f"根据{SAMR}第三十条、第三十一条的规定，本机关决定终止该行政许可程序。",),
        legal_basis=(f"{SAMR}第三十条", f"{SAMR}第三十一条"),
        remedies=(REMEDIES_NOTICE,),
    )  # fmt: skip


# ---------------------------------------------------------------- the licence (Law 8, 69, 70)


def _proceeding_words(kind: ProceedingKind) -> tuple[str, str, tuple[str, ...]]:
    """(撤销 / 撤回, the Law's article, the SAMR articles)."""
    if kind is ProceedingKind.REVOCATION:
        return "撤销", f"{LAW}第六十九条", (f"{SAMR}第四十条至第四十七条",)
    return "撤回", f"{LAW}第八条", (f"{SAMR}第三十六条至第三十九条",)


def proceedings_notice(
    licence: Licence, *, item: LicenseItem, authority: str, number: str, issued_on: dt.date
) -> DocumentContent:
    """撤销 / 撤回行政许可告知书 (SAMR 36-47): the grounds, 5 working days to state one's
    case, the right to a hearing (Law 47), the decision date."""
    proceedings = licence.proceedings
    _require(proceedings, "没有撤销或撤回程序")
    assert proceedings is not None
    verb, article, samr = _proceeding_words(proceedings.kind)
    you = _you(licence.holder)
    return _content(
        DocumentKind.PROCEEDINGS_NOTICE, authority=authority, number=number, issued_on=issued_on,
        title=f"{verb}行政许可告知书", addressee=licence.holder.name,
        parties=_holder_parties(licence),
        facts=(
            f"{you}持有的{licence.item_name}许可证（编号：{licence.certificate_no}），"
            f"经本机关查明：{proceedings.grounds.rstrip('。')}。",
        ),
        body=(
            f"根据{article}的规定，本机关拟{verb}上述行政许可。",
            f"{you}有权进行陈述和申辩，并有权要求听证。请于{chinese_date(proceedings.statement_by)}前"
            "向本机关提出；逾期未提出的，视为放弃上述权利。",
            f"本机关将于{chinese_date(proceedings.decide_by)}前作出决定。",
        ),
        legal_basis=(article, f"{LAW}第四十七条", *samr),
    )  # fmt: skip


def revocation_decision(
    licence: Licence,
    *,
    item: LicenseItem,
    authority: str,
    number: str,
    issued_on: dt.date,
    reason: str | None = None,
) -> DocumentContent:
    """撤销 (Law 69) / 撤回 (Law 8) 行政许可决定书: the decision, compensation if any, remedies.
    ``reason``: the event's (``LicenceRevoked.reason``), which the state does not keep."""
    _require(
        licence.status in (LicenceStatus.REVOKED, LicenceStatus.WITHDRAWN), "许可证未被撤销或撤回"
    )
    proceedings = licence.proceedings
    kind = proceedings.kind if proceedings else ProceedingKind.REVOCATION
    if licence.status is LicenceStatus.WITHDRAWN and kind is ProceedingKind.REVOCATION:
        kind = ProceedingKind.WITHDRAWAL_CIRCUMSTANCES
    verb, article, samr = _proceeding_words(kind)
    you = _you(licence.holder)
    facts = []
    if proceedings is not None:
        facts.append(
            f"本机关于{chinese_date(proceedings.noticed_on)}告知{you}拟{verb}行政许可的事实、理由和依据：{proceedings.grounds.rstrip('。')}。"
        )
        if proceedings.hearing_held_on:
            facts.append(f"本机关于{chinese_date(proceedings.hearing_held_on)}举行了听证。")
    if reason:
        facts.append(f"经审查：{reason.rstrip('。')}。")
    changed = licence.status_changed_on or issued_on
    body = [
        f"根据{article}的规定，本机关决定{verb}{you}的{licence.item_name}许可证"
        f"（编号：{licence.certificate_no}），该许可证自{chinese_date(changed)}起失效，本机关将依法办理注销手续。"
    ]
    if proceedings is not None and proceedings.compensation:
        what = "补偿" if verb == "撤回" else "赔偿"
        body.append(f"{what}：{proceedings.compensation.rstrip('。')}。")
    return _content(
        DocumentKind.REVOCATION_DECISION, authority=authority, number=number, issued_on=issued_on,
        title=f"{verb}行政许可决定书", addressee=licence.holder.name,
        parties=_holder_parties(licence), facts=tuple(facts), body=tuple(body),
        legal_basis=(article, f"{LAW}第七十条第（四）项", *samr),
        remedies=(_holder_remedies(),),
    )  # fmt: skip


def cancellation_notice(
    licence: Licence,
    *,
    item: LicenseItem,
    authority: str,
    number: str,
    issued_on: dt.date,
    ground: CancellationGround,
    note: str = "",
) -> DocumentContent:
    """行政许可注销公告 (Law 70; SAMR 48-52). ``ground`` and ``note`` are the event's
    (``LicenceCancelled``): the state keeps only the date."""
    _require(licence.status is LicenceStatus.CANCELLED, "许可证未注销")
    clause, words = CANCELLATION_GROUNDS[ground]
    validity = (
        chinese_date(licence.valid_from)
        + "至"
        + (chinese_date(licence.valid_to) if licence.valid_to else "长期")
    )
    facts = [
        f"{licence.holder.name}持有的{licence.item_name}许可证（编号：{licence.certificate_no}，"
        f"有效期：{validity}），因{words}，应当依法注销。"
    ]
    if note.strip():
        facts.append(f"说明：{note.strip().rstrip('。')}。")
    return _content(
        DocumentKind.CANCELLATION_NOTICE, authority=authority, number=number, issued_on=issued_on,
        addressee=None, parties=_holder_parties(licence), facts=tuple(facts),
        body=(
            f"根据{LAW}第七十条第{clause}项的规定，本机关依法注销该行政许可，"
            f"注销日期为{chinese_date(licence.status_changed_on or issued_on)}。特此公告。",
        ),
        legal_basis=(f"{LAW}第七十条第{clause}项", f"{SAMR}第四十八条"),
        remedies=(_holder_remedies(),),
    )  # fmt: skip


BUILDERS: dict[DocumentKind, Callable[..., DocumentContent]] = {
    DocumentKind.RECEIPT: receipt,
    DocumentKind.ACCEPTANCE_NOTICE: acceptance_notice,
    DocumentKind.CORRECTION_NOTICE: correction_notice,
    DocumentKind.NON_ACCEPTANCE_DECISION: non_acceptance_decision,
    DocumentKind.SUSPENSION_NOTICE: suspension_notice,
    DocumentKind.EXTENSION_NOTICE: extension_notice,
    DocumentKind.HEARING_NOTICE: hearing_notice,
    DocumentKind.GRANT_DECISION: grant_decision,
    DocumentKind.DENIAL_DECISION: denial_decision,
    DocumentKind.CERTIFICATE: certificate,
    DocumentKind.SERVICE_RECEIPT: service_receipt,
    DocumentKind.TERMINATION_NOTICE: termination_notice,
    DocumentKind.PROCEEDINGS_NOTICE: proceedings_notice,
    DocumentKind.REVOCATION_DECISION: revocation_decision,
    DocumentKind.CANCELLATION_NOTICE: cancellation_notice,
}
"""Each kind's builder; see each function for the extra keywords a kind takes."""


def build(kind: DocumentKind, source: LicenseCase | Licence, **arguments: Any) -> DocumentContent:
    """``BUILDERS[kind](source, **arguments)``."""
    return BUILDERS[kind](source, **arguments)
