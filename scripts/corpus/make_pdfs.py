#!/usr/bin/env python3
"""Generate the PDF documents of the sample help-centre corpus.

Writes:
  corpus/en/legal/warranty-terms.pdf   Nestwell Limited Warranty Terms (English store)
  corpus/zh/legal/sanbao-warranty.pdf  巢好生活三包服务条款 (Chinese store)

The text of both documents lives in this script (DOCUMENTS below); edit it here and
regenerate, never edit the PDFs by hand. Keep the numbers consistent with the Markdown
policies (corpus/en/policies/warranty.md, corpus/zh/policies/warranty.md).

Requirements (not project dependencies; install them outside the repository):
  pip install --target /tmp/fpdflib fpdf2
  apt-get install -y fonts-dejavu-core fonts-wqy-microhei      # or any TTF/TTC fonts

Usage (from the repository root):
  PYTHONPATH=/tmp/fpdflib python3 scripts/corpus/make_pdfs.py
  PYTHONPATH=/tmp/fpdflib python3 scripts/corpus/make_pdfs.py \
      --latin-font /path/DejaVuSans.ttf --latin-bold-font /path/DejaVuSans-Bold.ttf \
      --cjk-font /path/wqy-microhei.ttc --out-dir corpus

Fonts can also be given with the environment variables KEFU_PDF_FONT_LATIN,
KEFU_PDF_FONT_LATIN_BOLD and KEFU_PDF_FONT_CJK. The defaults are the Debian/Ubuntu
locations of DejaVu Sans and WenQuanYi Micro Hei. Fonts are embedded as subsets and
the text is written with normal text operators, so it can be extracted (pdftotext,
pdfminer). The creation date is fixed so that re-running the script is reproducible.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

try:
    from fpdf import FPDF
    from fpdf.fonts import FontFace
except ImportError:  # pragma: no cover - usage hint only
    sys.exit("fpdf2 is required: pip install --target /tmp/fpdflib fpdf2, then set PYTHONPATH=/tmp/fpdflib")

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXED_DATE = dt.datetime(2025, 9, 1, 9, 0, 0, tzinfo=dt.timezone.utc)

DEFAULT_LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEFAULT_LATIN_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
DEFAULT_CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

# Block kinds: ("h1", text), ("h2", text), ("h3", text), ("p", text), ("li", text),
# ("table", [header_row, row, ...]), ("small", text)

EN_WARRANTY = [
    ("h1", "Nestwell Limited Warranty Terms"),
    ("small", "Nestwell Home Ltd · Version 2025-09 · Valid for products purchased from 1 September 2025 · help.nestwellhome.com/en/legal/warranty-terms"),
    ("h2", "1. Who gives this warranty"),
    ("p", "This limited warranty is given by Nestwell Home Ltd (\"Nestwell\", \"we\") to the buyer of a new Nestwell-branded product purchased from nestwellhome.com or from an authorised Nestwell retailer. It applies in addition to, and does not limit, your statutory rights as a consumer, including the legal guarantee of conformity in the European Union and the United Kingdom."),
    ("h2", "2. Warranty period"),
    ("p", "The warranty period starts on the date the product is delivered to you. If you cannot show the delivery date, it starts on the invoice date."),
    ("table", [
        ["Country of delivery", "Warranty period"],
        ["European Union member states and the United Kingdom", "2 years"],
        ["United States, Canada and all other countries", "1 year"],
        ["Motor of the Vortex Pro blender (NW-BL1200), all countries", "5 years"],
    ]),
    ("p", "A Nestwell Care+ plan, where purchased (UK and EU only), extends the warranty period by a further 2 years and adds accidental damage cover as described in the Care+ terms."),
    ("h2", "3. What this warranty covers"),
    ("p", "We warrant that the product is free from defects in materials and workmanship when used in a private household in accordance with the user manual. Rechargeable batteries are covered for the full warranty period; a battery that holds less than 60% of its original capacity within the warranty period is considered defective."),
    ("h2", "4. What we will do"),
    ("li", "If a defect appears within 30 days of delivery, you may choose a refund or a replacement. No restocking fee applies."),
    ("li", "After 30 days, we will repair the product or, where repair is not possible or economical, replace it with the same or an equivalent model. If neither is possible, we will refund the purchase price."),
    ("li", "Repairs may use new parts or parts that are equivalent to new in performance and reliability."),
    ("li", "A repaired or replacement product is covered for the remainder of the original warranty period or 90 days, whichever is longer."),
    ("h2", "5. What this warranty does not cover"),
    ("li", "Accidental damage, including drops, cracks and liquid spills, unless covered by Nestwell Care+."),
    ("li", "Damage caused by misuse, neglect, incorrect voltage, or use not in accordance with the user manual."),
    ("li", "Commercial, professional or rental use, for example in cafés, offices or holiday lets."),
    ("li", "Limescale damage to kettles that have not been descaled as described in the user manual."),
    ("li", "Water damage to earbuds beyond their IPX4 rating, such as swimming or showering."),
    ("li", "Consumables and wear parts: filters, main and side brushes, mop pads, dust bags and ear tips, and normal blunting of blender blades."),
    ("li", "Cosmetic wear such as scratches or discoloration that does not affect how the product works."),
    ("li", "Products opened, modified or repaired by anyone other than Nestwell or an authorised service partner."),
    ("h2", "6. How to make a claim"),
    ("p", "Submit the warranty claim form at help.nestwellhome.com (Support > Warranty claim). You will need your order number (it starts with NW-) or, for purchases from another retailer, a copy of the retailer's invoice, and the serial number of the product. The serial number is on the label under the product; for AirTune T3 earbuds it is printed inside the lid of the charging case."),
    ("p", "We reply within 2 business days. If we need to inspect the product, we send you a prepaid shipping label; you never pay shipping costs for a valid warranty claim. We decide whether to repair, replace or refund, usually within 10 business days of receiving the product, and return it to you free of charge."),
    ("h2", "7. Transfer of the warranty"),
    ("p", "The warranty stays with the product. If you give or sell it to someone else, they can make a claim with the original proof of purchase."),
    ("h2", "8. Repairs outside the warranty"),
    ("p", "When a product is out of warranty or the fault is not covered, we can offer a paid repair. Diagnosis is free, and we only repair after you accept the quote. Parts replaced in a paid repair are covered for 90 days."),
    ("h2", "9. Data on connected products"),
    ("p", "Before sending a robot vacuum for repair, please reset it to factory settings. We are not responsible for maps or settings lost during a repair or replacement."),
    ("h2", "10. Contact"),
    ("p", "Nestwell Home Ltd, customer service: support@nestwellhome.com. Live chat Monday to Saturday, 08:00 to 20:00 CET."),
]

ZH_SANBAO = [
    ("h1", "巢好生活三包服务条款"),
    ("small", "巢好生活（Nestwell 中国官方商城）· 2025 年 9 月 1 日起生效 · help.nestwellhome.cn/zh/legal/sanbao-warranty"),
    ("h2", "第一条 适用范围"),
    ("p", "本条款适用于在巢好生活 APP、小程序及官网购买的巢好品牌家用电器（空气炸锅、电热水壶、破壁料理机、扫拖机器人、真无线耳机等），依据国家《部分商品修理更换退货责任规定》等规定制定。本条款不影响消费者依法享有的其他权利。"),
    ("h2", "第二条 三包有效期"),
    ("p", "三包有效期自签收次日起计算："),
    ("li", "7 日内商品出现性能故障的，消费者可以选择退货、换货或维修；"),
    ("li", "15 日内商品出现性能故障的，消费者可以选择换货或维修；"),
    ("li", "整机保修期为 1 年，保修期内出现性能故障的，免费维修。"),
    ("h2", "第三条 主要部件保修期"),
    ("table", [
        ["商品", "整机保修期", "主要部件保修期"],
        ["脆享空气炸锅 NW-AF550", "1 年", "发热管 2 年"],
        ["温控电热水壶 NW-KT170", "1 年", "温控器 2 年"],
        ["破壁料理机 NW-BL1200", "1 年", "电机 3 年"],
        ["漫游 S7 扫拖机器人 NW-RV700", "1 年", "主板、激光雷达 2 年；电池 1 年"],
        ["AirTune T3 真无线降噪耳机 NW-EB300", "1 年", "耳机及充电盒 1 年"],
    ]),
    ("h2", "第四条 维修后仍不能正常使用"),
    ("p", "在保修期内，同一性能故障经两次修理仍不能正常使用的，凭维修记录，消费者可以选择免费换货或退货。"),
    ("h2", "第五条 维修时限"),
    ("p", "售后中心自收到返修商品之日起 7 个工作日内完成维修并寄回。因缺少配件超过 30 日未能修复的，免费更换同型号新品。"),
    ("h2", "第六条 三包凭证"),
    ("p", "巢好生活开具的电子发票或订单记录均可作为三包凭证，无需纸质保修卡。无法提供有效凭证的，保修期自产品出厂日期后第 90 日起计算。"),
    ("h2", "第七条 不属于三包范围的情形"),
    ("li", "人为损坏、摔落、进液，或超出防护等级使用造成的损坏（耳机防水等级为 IPX4）；"),
    ("li", "未按说明书使用、维护、保养造成的损坏，如电热水壶长期未除垢；"),
    ("li", "擅自拆修、改装或在非授权网点维修；"),
    ("li", "用于商业经营用途；"),
    ("li", "耗材的正常损耗：滤网、边刷、主刷、拖布、耳塞套、除垢剂等；"),
    ("li", "无有效三包凭证且已超出按出厂日期推算的保修期。"),
    ("h2", "第八条 运费"),
    ("p", "三包有效期内因质量问题退货、换货或维修的，往返运费由巢好生活承担，提供免费上门取件服务。"),
    ("h2", "第九条 换货与维修后的保修"),
    ("p", "三包期内换货的，新商品的三包有效期自换货之日起重新计算。维修更换的部件享受 90 日保修，或整机剩余保修期，以较长者为准。"),
    ("h2", "第十条 保修期外维修"),
    ("p", "超出保修期或不属于三包范围的，提供付费维修服务：检测免费，维修费用为配件费加人工费，经消费者确认报价后维修。付费维修更换的配件保修 90 日。"),
    ("h2", "第十一条 延保服务"),
    ("p", "消费者可在签收次日起 30 日内加购巢好延保，延长整机保修期 1 年或 2 年。延保服务激活后不支持退款；商品整单退货的，尚未生效的延保全额退款。"),
    ("h2", "第十二条 申请方式"),
    ("p", "通过巢好生活 APP“我的订单 → 申请售后 → 维修”提交申请，并提供商品 SN 码及故障照片或视频。客服在 1 个工作日内审核。在线客服服务时间为每天 9:00–22:00。"),
    ("h2", "第十三条 维修方式"),
    ("p", "巢好生活提供寄修服务，由快递免费上门取件，暂不提供上门维修服务。寄修前请备份或清除设备中的个人数据，扫拖机器人请先在 APP 中解绑账号并恢复出厂设置。"),
    ("h2", "第十四条 争议处理"),
    ("p", "因三包服务发生争议的，双方协商解决；协商不成的，消费者可以向当地消费者协会投诉，或者向有关行政部门申诉。"),
]

DOCUMENTS = [
    {
        "path": "en/legal/warranty-terms.pdf",
        "lang": "en",
        "title": "Nestwell Limited Warranty Terms",
        "subject": "Warranty terms for Nestwell products bought from the international store",
        "blocks": EN_WARRANTY,
    },
    {
        "path": "zh/legal/sanbao-warranty.pdf",
        "lang": "zh-CN",
        "title": "巢好生活三包服务条款",
        "subject": "巢好生活三包（包修、包换、包退）服务条款",
        "blocks": ZH_SANBAO,
    },
]


def build_pdf(doc: dict, regular: str, bold: str | None, collection: int) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(doc["title"])
    pdf.set_subject(doc["subject"])
    pdf.set_author("Nestwell Home" if doc["lang"] == "en" else "巢好生活")
    pdf.set_creator("kefu scripts/corpus/make_pdfs.py")
    pdf.set_lang(doc["lang"])
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)

    kw = {"collection_font_number": collection} if regular.lower().endswith(".ttc") else {}
    pdf.add_font("Body", "", regular, **kw)
    if bold:
        pdf.add_font("Body", "B", bold, **kw)
    bold_style = "B" if bold else ""
    pdf.add_page()
    width = pdf.epw

    for kind, content in doc["blocks"]:
        if kind == "h1":
            pdf.set_font("Body", bold_style, 18)
            pdf.multi_cell(width, 9, content, new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(2)
        elif kind == "h2":
            pdf.ln(3)
            pdf.set_font("Body", bold_style, 13)
            pdf.multi_cell(width, 7, content, new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(1)
        elif kind == "h3":
            pdf.set_font("Body", bold_style, 11)
            pdf.multi_cell(width, 6, content, new_x="LMARGIN", new_y="NEXT", align="L")
        elif kind == "small":
            pdf.set_font("Body", "", 8.5)
            pdf.multi_cell(width, 4.5, content, new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(2)
        elif kind == "p":
            pdf.set_font("Body", "", 10)
            pdf.multi_cell(width, 5.5, content, new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(1.5)
        elif kind == "li":
            pdf.set_font("Body", "", 10)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(width - 4, 5.5, "• " + content, new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(0.5)
        elif kind == "table":
            pdf.set_font("Body", "", 9.5)
            heading = FontFace(emphasis="BOLD" if bold else None, fill_color=(235, 235, 235))
            with pdf.table(line_height=5.5, headings_style=heading, text_align="LEFT") as table:
                for row in content:
                    r = table.row()
                    for cell in row:
                        r.cell(cell)
            pdf.ln(2)
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    return pdf


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=str(REPO_ROOT / "corpus"), help="corpus root (default: <repo>/corpus)")
    ap.add_argument("--latin-font", default=os.environ.get("KEFU_PDF_FONT_LATIN", DEFAULT_LATIN))
    ap.add_argument("--latin-bold-font", default=os.environ.get("KEFU_PDF_FONT_LATIN_BOLD", DEFAULT_LATIN_BOLD))
    ap.add_argument("--cjk-font", default=os.environ.get("KEFU_PDF_FONT_CJK", DEFAULT_CJK))
    ap.add_argument("--cjk-collection-index", type=int, default=0, help="font index inside a .ttc collection")
    args = ap.parse_args()

    for f in (args.latin_font, args.cjk_font):
        if not Path(f).is_file():
            sys.exit(f"font not found: {f} (see --help)")
    latin_bold = args.latin_bold_font if Path(args.latin_bold_font).is_file() else None

    out = Path(args.out_dir)
    for doc in DOCUMENTS:
        if doc["lang"] == "en":
            pdf = build_pdf(doc, args.latin_font, latin_bold, 0)
        else:
            # WenQuanYi Micro Hei has no bold face; headings use the size only.
            pdf = build_pdf(doc, args.cjk_font, None, args.cjk_collection_index)
        target = out / doc["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        pdf.output(str(target))
        print(f"wrote {target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
