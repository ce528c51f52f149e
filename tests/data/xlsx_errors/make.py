"""Writes data.xlsx for this case (run from this folder: python3 make.py; needs openpyxl)."""
import datetime

from openpyxl import Workbook

wb = Workbook()
ws = wb.active
ws.title = "市区"
ws.append(["名称", "类型"])
for row in [["海陵区", "区"], ["高港区", "区"], ["靖江市", "县级市"]]:
    ws.append(row)

ws = wb.create_sheet("季度进度")
ws.append(["名称", "季度", "完成率"])
for unit in ["海陵区", "高港区", "靖江市"]:
    for q in range(1, 5):
        ws.append([unit, f"Q{q}", 0.9])
ws["C3"] = "95"  # text in a percent column: 海陵区 Q2
ws["B10"] = "Q2"  # 靖江市 Q1 written as Q2 again: a duplicate key, and Q1 missing

ws = wb.create_sheet("经济指标")
ws.append(["名称", "财政收入", "项目数"])
ws.append(["海陵区", "#DIV/0!", 12])  # an Excel error value
ws.append(["高港区", 987.6, 8.5])  # a fraction in a whole-number column
ws.append(["靖江市", 2001.25, 3])

ws = wb.create_sheet("督察记录")  # misspelt sheet name: 督查记录 is missing
ws.append(["名称", "文号", "日期", "类别"])
ws.append(["海陵区", "泰政督〔2013〕5号", datetime.datetime(2013, 5, 1), "通报批评"])

ws = wb.create_sheet("加分申报")
ws.append(["名称", "申报"])  # 申报分 missing: it has a default, so not an error
ws.append(["海陵", 3])  # unknown unit

wb.save("data.xlsx")
