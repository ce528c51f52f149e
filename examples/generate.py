#!/usr/bin/env python3
"""Generate the example data under examples/ for the schemes in rules/.

    python3 examples/generate.py                 # writes every folder, checks it, prints a summary
    python3 examples/generate.py --qingdao-n 1000000 --only qingdao --no-preview --no-check

The output is deterministic: fixed random seeds, no clock, no dict-order
dependence, fixed timestamps inside the .xlsx files. Running the script twice
gives byte-identical files.

What is written (see examples/README.md):
    taizhou_district/        one CSV per table, UTF-8 with BOM, CRLF (Excel "CSV UTF-8")
    taizhou_district_2014/   the same tables for 2014 as one .xlsx workbook (percent cells)
    taizhou_department/      one CSV per table, UTF-8 without BOM, LF;
                             督查记录.csv in GB18030 with CRLF (Excel on Chinese Windows)
    yuhua_office/            one .xlsx workbook, one sheet per table
    qingdao_individual/      one CSV per table, UTF-8, LF; size set by --qingdao-n

After writing, every file is read back and checked against the table
declarations parsed from rules/*.kh (headers, types, enumerations, required
cells, key uniqueness, units present, one row per unit / per unit and period).
A rough preview of the totals and grades (this script's own reading of the
schemes, not the reference semantics) is printed so that the spread of grades
can be seen; it is also used to put a tie exactly at a quota line.

Needs openpyxl (`pip install openpyxl`).
"""

import argparse
import csv
import datetime as dt
import io
import os
import random
import re
import sys
import zipfile
from decimal import ROUND_HALF_UP, Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RULES = os.path.join(ROOT, "rules")

D = Decimal
SEED = 20130101


# ============================================================================
# Cell values
# ============================================================================
# Rows hold typed Python values; the writers turn them into CSV text or Excel
# cells. Plain values: str, int, Decimal, dt.date, bool, None (empty cell).


class Pct:
    """A percent, given as the percent number: Pct("95.5") is 95.5% (0.955)."""

    __slots__ = ("p",)

    def __init__(self, p):
        self.p = D(p)

    def text(self):
        return fmt_dec(self.p) + "%"

    def fraction(self):
        return self.p / 100

    def __repr__(self):
        return self.text()


class Slash:
    """A date written the short way, 2013/5/1 (as typed by hand)."""

    __slots__ = ("d",)

    def __init__(self, d):
        self.d = d

    def text(self):
        return f"{self.d.year}/{self.d.month}/{self.d.day}"


class Thou:
    """A number written with thousands separators, "1,234.50"."""

    __slots__ = ("v", "places")

    def __init__(self, v, places=2):
        self.v = D(v)
        self.places = places

    def text(self):
        return f"{self.v:,.{self.places}f}"


def fmt_dec(d):
    if isinstance(d, int):
        return str(d)
    s = format(d, "f")
    return s


def q(x, places=2):
    """Round a Decimal half-up to `places` decimals."""
    return D(x).quantize(D(1).scaleb(-places), ROUND_HALF_UP)


def plain(v):
    """The plain Python value behind a cell (for scoring)."""
    if isinstance(v, Pct):
        return v.fraction()
    if isinstance(v, Slash):
        return v.d
    if isinstance(v, Thou):
        return v.v
    return v


def cell_text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (Pct, Slash, Thou)):
        return v.text()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (int, Decimal)):
        return fmt_dec(v)
    return str(v)


# ============================================================================
# Table declarations, read from rules/*.kh
# ============================================================================

TYPE_NAMES = {
    "文本": "text", "text": "text",
    "数值": "number", "数字": "number", "number": "number",
    "整数": "integer", "integer": "integer",
    "百分比": "percent", "percent": "percent",
    "日期": "date", "date": "date",
    "季度": "quarter", "quarter": "quarter",
    "月份": "month", "month": "month",
    "半年": "half-year", "half-year": "half-year",
    "年份": "year", "year": "year",
    "是否": "bool", "bool": "bool",
}
PERIODS = {"quarter": 4, "month": 12, "half-year": 2, "year": 1}


class Column:
    def __init__(self, name, type_, enum=None, optional=False, default=None):
        self.name, self.type, self.enum, self.optional, self.default = name, type_, enum, optional, default


class Table:
    def __init__(self, name, key, by, columns):
        self.name, self.key, self.by, self.columns = name, key, by, columns

    def col(self, name):
        return next(c for c in self.columns if c.name == name)


class Scheme:
    def __init__(self, path):
        self.path = path
        text = open(path, encoding="utf-8").read()
        self.tables = {}
        base = re.search(r'^\s*(?:沿用|extends)\s*["“]([^"”]+)["”]', text, re.M)
        if base:
            b = Scheme(os.path.join(os.path.dirname(path), base.group(1)))
            self.tables, self.unit_table, self.unit_key, self.year = b.tables, b.unit_table, b.unit_key, b.year
        year = re.search(r"^\s*(?:年度|year)\s+(\d{4})", text, re.M)
        if year:
            self.year = int(year.group(1))
        m = re.search(r"^(?:考核对象|units)\s+(\S+)\s*\{([^}]*)\}", text, re.M)
        if m:
            self.unit_table = m.group(1)
            self.unit_key = re.search(r"(?:标识|key)\s+(\S+)", m.group(2)).group(1)
        for m in re.finditer(r"^(?:数据表|table)\s+([^\s{]+)([^{\n]*)\{", text, re.M):
            name, head = m.group(1), m.group(2)
            key = by = None
            km = re.search(r"(?:键|key)\s+(.+?)(?=\s+(?:按|by)\s|$)", head.strip())
            if km:
                key = [k.strip() for k in re.split(r"[,，]", km.group(1)) if k.strip()]
            bm = re.search(r"(?:按|by)\s+(\S+)", head)
            if bm:
                by = bm.group(1)
            end = text.index("\n}", m.end())
            body = "\n".join(line.split("#")[0] for line in text[m.end():end].split("\n"))
            cols = []
            for cm in re.finditer(
                r"([^\s:：(),]+)\s*[:：]\s*(?:(?:枚举|enum)\s*[(（]([^)）]*)[)）]|(\S+))([^\n]*)", body
            ):
                cname, enum_body, tname, rest = cm.groups()
                if enum_body is not None:
                    enum = re.findall(r'["“]([^"”]*)["”]', enum_body)
                    ctype = "enum"
                else:
                    enum, ctype = None, TYPE_NAMES[tname]
                optional = bool(re.search(r"可空|optional", rest))
                dm = re.search(r"(?:默认|default)\s+(\S+)", rest)
                cols.append(Column(cname, ctype, enum, optional, dm.group(1).strip('"“”') if dm else None))
            self.tables[name] = Table(name, key, by, cols)

    def unit_column(self, table):
        return table.by or self.unit_key

    def shape(self, table):
        """'unit', ('period', column) or 'rows'."""
        ucol = self.unit_column(table)
        if table.key == [ucol]:
            return "unit"
        if table.key and len(table.key) == 2 and ucol in table.key:
            other = table.col([k for k in table.key if k != ucol][0])
            if other.type in PERIODS:
                return ("period", other)
        return "rows"


# ============================================================================
# Writers
# ============================================================================


def write_csv(path, header, rows, encoding="utf-8", bom=False, crlf=False):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow([cell_text(v) for v in r])
    data = buf.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    with open(path, "wb") as f:
        f.write(data)


FIXED_TIME = (2014, 1, 6, 9, 0, 0)


def write_xlsx(path, tables):
    """tables: list of (sheet name, header, rows). Dates become Excel dates,
    Pct numeric cells with a percent format, numbers numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, header, rows in tables:
        ws = wb.create_sheet(name)
        ws.append(header)
        for c in ws[1]:
            c.font = Font(bold=True)
        widths = [max(8, 2 * len(h) + 2) for h in header]
        for r in rows:
            out = []
            for v in r:
                out.append(xlsx_value(v))
            ws.append(out)
            row = ws.max_row
            for i, v in enumerate(r):
                c = ws.cell(row=row, column=i + 1)
                if isinstance(v, Pct):
                    places = len(fmt_dec(v.p).partition(".")[2])
                    c.number_format = "0%" if places == 0 else "0." + "0" * places + "%"
                elif isinstance(v, Slash):
                    c.number_format = "yyyy/m/d"
                elif isinstance(v, dt.date):
                    c.number_format = "yyyy-mm-dd"
                elif isinstance(v, Thou):
                    c.number_format = "#,##0.00"
                elif isinstance(v, str) and "\n" in v:
                    c.alignment = Alignment(wrap_text=True)
                if isinstance(v, str):
                    widths[i] = min(40, max(widths[i], 2 * len(v) + 2))
        for i, wdt in enumerate(widths):
            ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = wdt
        ws.freeze_panes = "A2"
    stamp = dt.datetime(*FIXED_TIME)
    wb.properties.creator = "kaohe examples/generate.py"
    wb.properties.created = stamp
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl stamps the save time into docProps/core.xml and the zip entries:
    # rewrite both so that the file is the same on every run.
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + iso.encode(), data)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            z.writestr(zi, data)
    with open(path, "wb") as f:
        f.write(out.getvalue())


def xlsx_value(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, Pct):
        return float(v.fraction())
    if isinstance(v, Slash):
        return dt.datetime(v.d.year, v.d.month, v.d.day)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, Thou):
        return float(v.v)
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


# ============================================================================
# Checker: read every written file back and check it against the scheme
# ============================================================================

NUM_RE = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
INT_RE = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)$")
PCT_RE = re.compile(r"^-?\d+(?:\.\d+)?%$")
CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}


def parse_date_text(s):
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s) or re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", s)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def period_index(kind, s, year):
    """0-based period index of a period text, or None (also when a leading year differs)."""
    m = re.fullmatch(r"(\d{4})(?:Q([1-4])|-(\d{2}))", s)
    if m:
        if int(m.group(1)) != year:
            return None
        if kind == "quarter" and m.group(2):
            return int(m.group(2)) - 1
        if kind == "month" and m.group(3) and 1 <= int(m.group(3)) <= 12:
            return int(m.group(3)) - 1
        return None
    if kind == "quarter":
        m = re.fullmatch(r"Q([1-4])", s) or re.fullmatch(r"([一二三四])季度", s)
        return None if not m else (int(m.group(1)) if m.group(1).isdigit() else CN_NUM[m.group(1)]) - 1
    if kind == "month":
        m = re.fullmatch(r"M(\d{1,2})", s) or re.fullmatch(r"(\d{1,2})月", s)
        return int(m.group(1)) - 1 if m and 1 <= int(m.group(1)) <= 12 else None
    if kind == "half-year":
        return {"上半年": 0, "H1": 0, "下半年": 1, "H2": 1}.get(s)
    return None


def check_text_cell(col, s, year):
    """Canonical value of a CSV cell, or raise ValueError."""
    t = col.type
    if t in ("text",):
        return s
    if t == "enum":
        if s not in col.enum:
            raise ValueError(f"{s!r} is not one of {col.enum}")
        return s
    if t == "number":
        if not NUM_RE.match(s):
            raise ValueError(f"{s!r} is not a number")
        return D(s.replace(",", ""))
    if t == "integer":
        if not INT_RE.match(s):
            raise ValueError(f"{s!r} is not an integer")
        return int(s.replace(",", ""))
    if t == "percent":
        if not PCT_RE.match(s):
            raise ValueError(f"{s!r} is not a percent (write 95.5%)")
        return D(s[:-1]) / 100
    if t == "date":
        d = parse_date_text(s)
        if d is None:
            raise ValueError(f"{s!r} is not a date")
        return d
    if t in PERIODS:
        i = period_index(t, s, year)
        if i is None:
            raise ValueError(f"{s!r} is not a {t} of {year}")
        return i
    if t == "bool":
        if s not in ("是", "否"):
            raise ValueError(f"{s!r} is not 是/否")
        return s == "是"
    raise ValueError(f"unknown type {t}")


def check_xlsx_cell(col, c, year):
    v = c.value
    t = col.type
    if t in ("number", "integer", "percent"):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{v!r} is not a numeric cell")
        if t == "integer" and not float(v).is_integer():
            raise ValueError(f"{v!r} is not an integer")
        if t == "percent" and "%" not in c.number_format:
            raise ValueError(f"{v!r} has no percent format ({c.number_format})")
        return D(repr(v))
    if t == "date":
        if not isinstance(v, dt.datetime):
            raise ValueError(f"{v!r} is not a date cell")
        return v.date()
    if not isinstance(v, str):
        raise ValueError(f"{v!r} is not a text cell")
    return check_text_cell(col, v, year)


def read_csv_file(path):
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        text, enc = raw[3:].decode("utf-8"), "UTF-8 BOM"
    else:
        try:
            text, enc = raw.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            text, enc = raw.decode("gb18030"), "GB18030"
    crlf = b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return enc + (", CRLF" if crlf else ", LF"), rows


def check_folder(scheme, folder, extra=None):
    """Check a data folder (CSV files or one .xlsx). Returns a list of
    (table, rows, file, bytes, encoding); raises SystemExit on errors."""
    errors = []
    files = sorted(os.listdir(folder))
    books = [f for f in files if f.endswith(".xlsx")]
    loaded = {}  # table -> list of (place, {column: canonical value})
    info = []
    if books:
        from openpyxl import load_workbook

        path = os.path.join(folder, books[0])
        wb = load_workbook(path)
        for tname, table in scheme.tables.items():
            if tname not in wb.sheetnames:
                errors.append(f"{books[0]}: no sheet {tname}")
                continue
            ws = wb[tname]
            rows = list(ws.iter_rows())
            header = [c.value for c in rows[0]]
            recs = check_header(errors, f"{books[0]}!{tname}", header, table)
            if recs is None:
                continue
            out = []
            for r in rows[1:]:
                rec = {}
                for col, c in zip(table.columns, r):
                    place = f"{tname}!{c.coordinate}"
                    if c.value is None or c.value == "":
                        check_empty(errors, place, col)
                        rec[col.name] = None
                        continue
                    try:
                        rec[col.name] = check_xlsx_cell(col, c, scheme.year)
                    except ValueError as e:
                        errors.append(f"{place}: {col.name}: {e}")
                out.append((f"{tname}!{r[0].row}", rec))
            loaded[tname] = out
            info.append((tname, len(out), books[0] + "!" + tname, None, "xlsx"))
        info.insert(0, ("(workbook)", None, books[0], os.path.getsize(path), "xlsx"))
    else:
        for tname, table in scheme.tables.items():
            fname = tname + ".csv"
            if fname not in files:
                errors.append(f"{folder}: no file {fname}")
                continue
            path = os.path.join(folder, fname)
            enc, rows = read_csv_file(path)
            recs = check_header(errors, fname, rows[0], table)
            if recs is None:
                continue
            out = []
            # csv line numbers: count physical lines for messages
            for i, r in enumerate(rows[1:], start=2):
                if len(r) != len(table.columns):
                    errors.append(f"{fname}: row {i}: {len(r)} cells, {len(table.columns)} columns")
                    continue
                rec = {}
                for col, s in zip(table.columns, r):
                    place = f"{fname}: row {i}"
                    if s == "":
                        check_empty(errors, place, col)
                        rec[col.name] = None
                        continue
                    try:
                        rec[col.name] = check_text_cell(col, s, scheme.year)
                    except ValueError as e:
                        errors.append(f"{place}: {col.name}: {e}")
                out.append((f"{fname}: row {i}", rec))
            loaded[tname] = out
            info.append((tname, len(out), fname, os.path.getsize(path), enc))
    # units, keys, shapes
    units = [rec[scheme.unit_key] for _, rec in loaded.get(scheme.unit_table, [])]
    unit_set = set(units)
    for tname, table in scheme.tables.items():
        recs = loaded.get(tname, [])
        ucol = scheme.unit_column(table)
        for place, rec in recs:
            if rec.get(ucol) not in unit_set:
                errors.append(f"{place}: unknown unit {rec.get(ucol)!r}")
        if table.key:
            seen = {}
            for place, rec in recs:
                k = tuple(rec.get(c) for c in table.key)
                if k in seen:
                    errors.append(f"{place}: duplicate key {k} (first at {seen[k]})")
                seen.setdefault(k, place)
        shape = scheme.shape(table)
        if shape == "unit":
            have = {rec.get(ucol) for _, rec in recs}
            for u in units:
                if u not in have:
                    errors.append(f"{tname}: no row for unit {u}")
        elif shape != "rows":
            pcol = shape[1]
            have = {(rec.get(ucol), rec.get(pcol.name)) for _, rec in recs}
            for u in units:
                for p in range(PERIODS[pcol.type]):
                    if (u, p) not in have:
                        errors.append(f"{tname}: no row for unit {u}, {pcol.name} {p + 1}")
    if extra and not errors:
        extra(loaded, units, errors)
    if errors:
        for e in errors[:50]:
            print("  ERROR", folder, e, file=sys.stderr)
        raise SystemExit(f"{len(errors)} problem(s) in {folder}")
    return info


def check_header(errors, where, header, table):
    want = [c.name for c in table.columns]
    if list(header) != want:
        errors.append(f"{where}: header {header} does not match the declaration {want}")
        return None
    return True


def check_empty(errors, place, col):
    # The examples leave cells empty only in optional columns (columns with a
    # default are always filled in, as the brief asks).
    if not col.optional:
        errors.append(f"{place}: {col.name} is empty but not optional")


def rows_by_unit(recs, ucol):
    out = {}
    for _, rec in recs:
        out.setdefault(rec[ucol], []).append(rec)
    return out


# ============================================================================
# Helpers for generating
# ============================================================================


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def dec(x, places=1):
    """A float rounded half-up to a Decimal with `places` decimals."""
    return q(D(repr(float(x))), places)


def day(year, rng, start=1, end=365):
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(start - 1, end - 1))


def maybe_slash(d, rng, share=0.15):
    """Hand-typed tables: some dates come out as 2013/5/1."""
    return Slash(d) if rng.random() < share else d


def tmean(xs, drop=1):
    xs = sorted(xs)
    xs = xs[drop:len(xs) - drop]
    return sum(xs) / len(xs)


def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs)


def renumber(rows, no_idx, date_idx, rng):
    """Make document numbers (文号, 件号) grow with the date, as a registry issues
    them: each series (same text around the number) is renumbered in date
    order with small gaps; rows sharing a number keep sharing it."""
    series = {}
    for r in rows:
        m = re.fullmatch(r"(.*?)(\d+)(\D*)", r[no_idx])
        head, digits, tail = m.groups()
        width = len(digits) if digits.startswith("0") else 0
        first = series.setdefault((head, tail, width), {})
        d = plain(r[date_idx])
        first[digits] = min(first.get(digits, d), d)
    new = {}
    for (head, tail, width), numbers in sorted(series.items()):
        n = rng.randint(0, 3)
        for digits, _ in sorted(numbers.items(), key=lambda kv: (kv[1], int(kv[0]))):
            n += rng.randint(1, 3)
            new[(head, tail, width, digits)] = f"{head}{n:0{width}d}{tail}"
    for r in rows:
        head, digits, tail = re.fullmatch(r"(.*?)(\d+)(\D*)", r[no_idx]).groups()
        r[no_idx] = new[(head, tail, len(digits) if digits.startswith("0") else 0, digits)]


def ranks_desc(values):
    """Competition ranks (1, 2, 2, 4) of a list of comparable keys, largest first."""
    return [1 + sum(1 for w in values if w > v) for v in values]


# ============================================================================
# 泰州 市(区) — rules/taizhou_district.kh (2013) and taizhou_district_2014.kh
# ============================================================================

DISTRICTS = [
    # name, type, strength (drives how well the unit does), GDP 亿元 scale
    ("海陵区", "区", 0.78),
    ("高港区", "区", 0.62),
    ("姜堰区", "区", 0.70),
    ("靖江市", "县级市", 0.92),
    ("泰兴市", "县级市", 0.88),
    ("兴化市", "县级市", 0.35),
]
# 公共财政预算收入 and 固定资产投资 targets, 亿元 (2013 scale; 2014 grows ~10%)
DISTRICT_BASE = {
    "海陵区": (31.5, 265), "高港区": (27.8, 232), "姜堰区": (38.6, 305),
    "靖江市": (61.2, 455), "泰兴市": (57.9, 428), "兴化市": (36.4, 336),
}
LEAD_DEPTS = [
    ("社会事业", ["市教育局", "市卫生局", "市人社局"]),
    ("生态环境", ["市环保局", "市水利局"]),
    ("党建与党风廉政", ["市委组织部", "市纪委"]),
    ("依法治市", ["市委政法委"]),
    ("社会稳定与安全生产", ["市委政法委", "市安监局", "市信访局"]),
    ("文明城市创建", ["市文明办"]),
]
DISTRICT_AWARDS = {
    "海陵区": [("江苏省文明城市创建先进区", "省级"), ("全国社区建设示范区", "国家级"), ("泰州市重大项目建设先进单位", "市级")],
    "高港区": [("江苏省生态区", "省级"), ("泰州市招商引资先进单位", "市级")],
    "姜堰区": [("全国休闲农业与乡村旅游示范县", "国家级"), ("江苏省农村改革试验区", "省级")],
    "靖江市": [("全国科技进步先进市", "国家级"), ("江苏省平安县(市)", "省级"), ("江苏省生态文明建设示范市", "省级")],
    "泰兴市": [("全国农村社区建设实验全覆盖示范单位", "国家级"), ("江苏省科技进步先进市", "省级")],
    "兴化市": [("全国粮食生产先进县", "国家级"), ("泰州市重大项目建设先进单位", "市级")],
}


def gen_district(year, seed):
    rng = random.Random(seed)
    T = {}
    T["市区"] = [
        [n, t, f"中共{n[:-1]}{'区委' if t == '区' else '市委'}、{n}人民政府"] for n, t, _ in DISTRICTS
    ]
    grow = 1 + D("0.1") * (year - 2013)
    # 重点工作评估: nodes per half-year
    rows = []
    for n, _, s in DISTRICTS:
        for half in ("上半年", "下半年"):
            row = [n, half]
            for cat, (lo, hi) in (("重大项目", (16, 32)), ("城建工程", (9, 20)), ("民生实事", (5, 12))):
                plan = rng.randint(lo, hi)
                if n == "高港区" and cat == "民生实事" and half == "下半年":
                    plan = 0  # 民生实事 all scheduled in the first half: scored 100 by the scheme
                short = int(round(plan * rng.uniform(0, 0.22) * (1 - s)))
                row += [plan, plan - short]
            rows.append(row)
    T["重点工作评估"] = rows
    # 转型升级指标
    rows = []
    for n, _, s in DISTRICTS:
        def pair(target, places, spread=0.16):
            ratio = rng.uniform(1 - spread * (1.1 - s), 1 + 0.12)
            return [Pct(dec(target, places)), Pct(dec(target * ratio, places))]

        reform = "完成" if s > 0.75 or rng.random() < 0.4 else ("基本完成" if s > 0.3 else "未完成")
        rows.append(
            [n]
            + pair(rng.choice([1.0, 1.2, 1.5]), 1, 0.3)
            + pair(rng.uniform(36, 46), 2)
            + pair(rng.choice([2.0, 2.2, 2.3, 2.5]), 2)
            + pair(rng.choice([3.5, 3.8, 4.0]), 2)
            + [reform]
        )
    T["转型升级指标"] = rows
    # 经济指标
    rows = []
    for n, _, s in DISTRICTS:
        fi_t, fa_t = DISTRICT_BASE[n]
        fi_t, fa_t = float(D(repr(fi_t)) * grow), float(D(repr(fa_t)) * grow)
        g_t = rng.choice([11.0, 11.5, 12.0]) - (year - 2013) * 1.0
        g = g_t + rng.uniform(-1.6 * (1 - s), 1.2)
        inc_t = 11.0 - (year - 2013) * 0.5
        rows.append(
            [n, Pct(dec(g_t, 1)), Pct(dec(g, 1)),
             dec(fi_t, 2), dec(fi_t * rng.uniform(0.97 - 0.05 * (1 - s), 1.08), 2),
             dec(fa_t, 1), dec(fa_t * rng.uniform(0.93 - 0.06 * (1 - s), 1.06), 1),
             Pct(dec(inc_t, 1)), Pct(dec(inc_t + rng.uniform(-1.2 * (1 - s), 0.9), 1)),
             Pct(dec(inc_t + rng.uniform(-1.0 * (1 - s), 1.4), 1))]
        )
    T["经济指标"] = rows
    # 牵头部门评分
    rows = []
    for n, _, s in DISTRICTS:
        for item, depts in LEAD_DEPTS:
            for dpt in depts:
                sc = clamp(rng.gauss(84 + 12 * s, 3.5), 70, 100)
                rows.append([n, item, dpt, dec(sc, 0 if rng.random() < 0.7 else 1)])
    T["牵头部门评分"] = rows
    # 领导评价票: 市领导 panel of up to 10, 部门负责人 panel of up to 12 (a few ballots missing)
    rows = []
    for n, _, s in DISTRICTS:
        for prefix, subject, size in (("L", "市领导", 10), ("B", "部门负责人", 12)):
            present = list(range(1, size + 1))
            for _ in range(rng.choice([0, 0, 1, 2])):
                present.remove(rng.choice(present))
            for k in present:
                sc = clamp(rng.gauss(83 + 12 * s, 4), 60, 100)
                if rng.random() < 0.06:
                    sc = rng.uniform(60, 72)  # the odd outlier the trimmed mean is for
                rows.append([n, f"{prefix}{k:02d}", subject, int(round(sc))])
    T["领导评价票"] = rows
    # 民意调查汇总 (third-party survey, ~1,000 households per unit)
    rows = []
    for n, _, s in DISTRICTS:
        total = rng.randint(980, 1250)
        unknown = rng.randint(25, 110)
        rate = clamp(rng.gauss(0.915 + 0.06 * s, 0.012), 0.86, 0.985)
        valid = total - unknown
        sat_all = int(round(valid * rate))
        very = int(round(sat_all * rng.uniform(0.55, 0.72)))
        rows.append([n, very, sat_all - very, valid - sat_all, unknown])
    T["民意调查汇总"] = rows
    # 督查记录: notices (通报批评) and reminders for lagging key projects (重点工作滞后督办)
    rows = []
    yy = f"〔{year}〕"
    events = [
        # units, kind, month, how it was followed up
        (["高港区", "兴化市"], "通报批评", 4, ["ok", "late"]),
        (["兴化市"], "重点工作滞后督办", 6, ["ok"]),
        (["姜堰区"], "通报批评", 7, ["ok"]),
        (["兴化市"], "通报批评", 9, ["open"]),
        (["海陵区"], "重点工作滞后督办", 9, ["failed"]),
        (["高港区"], "重点工作滞后督办", 10, ["late"]),
        (["兴化市"], "重点工作滞后督办", 11, ["open"]),
        (["泰兴市"], "通报批评", 11, ["ok"]),
    ]
    counters = {"通报批评": rng.randint(2, 4), "重点工作滞后督办": rng.randint(5, 9)}
    for units, kind, month, follow in events:
        counters[kind] += rng.randint(1, 6)
        no = ("泰效通" if kind == "通报批评" else "泰督办") + yy + f"{counters[kind]}号"
        when = dt.date(year, month, rng.randint(3, 26))
        due = when + dt.timedelta(days=30)
        for u, how in zip(units, follow):
            if how == "ok":  # rectified in time, re-inspection passed
                fixed, passed = when + dt.timedelta(days=rng.randint(12, 29)), True
            elif how == "late":  # rectified after the deadline
                fixed, passed = due + dt.timedelta(days=rng.randint(3, 20)), True
            elif how == "failed":  # rectified in time but the re-inspection failed
                fixed, passed = when + dt.timedelta(days=rng.randint(15, 28)), False
            else:  # not rectified by the end of the year
                fixed, passed = None, False
            rows.append([u, no, maybe_slash(when, rng), kind, due, fixed and maybe_slash(fixed, rng), passed])
    renumber(rows, 1, 2, rng)
    rows.sort(key=lambda r: (plain(r[2]), r[1], r[0]))
    T["督查记录"] = rows
    # 表彰
    rows = []
    for n, _, _ in DISTRICTS:
        for title, level in DISTRICT_AWARDS[n]:
            if rng.random() < 0.85:
                rows.append([n, title, level, maybe_slash(day(year, rng, 60, 355), rng)])
    T["表彰"] = rows
    # 否决事件: one unit, one event
    if year == 2013:
        T["否决事件"] = [
            ["泰兴市", dt.date(year, 7, 19), "较大及以上安全生产责任事故",
             "泰兴经济开发区某化工企业车间爆燃,造成3人死亡、2人受伤。\n经省安监局调查认定为较大生产安全责任事故,相关责任人已被追责。"]
        ]
    else:
        T["否决事件"] = [
            ["姜堰区", dt.date(year, 5, 8), "重大群体性事件",
             "某拆迁安置小区交房延期引发群众聚集,堵塞省道4小时;\n经市委维稳办认定为重大群体性事件。"]
        ]
    return T


def score_district(T, scheme_year):
    """Preview of rules/taizhou_district.kh (and the 2014 revision's weights and param)."""
    y14 = scheme_year >= 2014
    w_key, w_trans = (D("0.35"), D("0.20")) if y14 else (D("0.30"), D("0.25"))
    notice_pts = D(2) if y14 else D(1)
    units = [r[0] for r in T["市区"]]
    group = {r[0]: r[1] for r in T["市区"]}
    P = lambda v: D(v) if isinstance(v, int) and not isinstance(v, bool) else plain(v)

    def done_score(r):  # r: ratio actual/target
        return D(100) if r >= 1 else max(D(0), 100 - (1 - r) * 100 * 2)

    key = {}
    for u in units:
        halves = [r for r in T["重点工作评估"] if r[0] == u]
        cats = []
        for i in (2, 4, 6):
            ss = [D(100) if r[i] == 0 else min(D(r[i + 1]) / r[i], D(1)) * 100 for r in halves]
            cats.append(sum(ss) / 2)
        key[u] = D("0.4") * cats[0] + D("0.3") * cats[1] + D("0.3") * cats[2]
    econ = {r[0]: [P(v) for v in r] for r in T["经济指标"]}
    trans = {r[0]: [P(v) for v in r] for r in T["转型升级指标"]}
    growth = [econ[u][2] for u in units]
    g_rank = dict(zip(units, ranks_desc(growth)))
    fi_ratio = {u: econ[u][4] / econ[u][3] for u in units}
    out = {}
    for u in units:
        t = trans[u]
        tr = (D("0.25") * done_score(t[2] / t[1]) + D("0.25") * done_score(t[4] / t[3]) + D("0.2") * done_score(t[6] / t[5])
              + D("0.15") * done_score(t[8] / t[7]) + D("0.15") * {"完成": D(100), "基本完成": D(70)}.get(t[9], D(0)))
        e = econ[u]
        gdp = D("0.7") * done_score(e[2] / e[1]) + D("0.3") * (100 - 5 * (g_rank[u] - 1))
        fi = fi_ratio[u] / max(fi_ratio[v] for v in units if group[v] == group[u]) * 100
        fa = clamp(e[6] / e[5], D(0), D(1)) * 100
        inc = (min(e[8] / e[7], D(1)) + min(e[9] / e[7], D(1))) / 2 * 100
        lead = {}
        for r in T["牵头部门评分"]:
            if r[0] == u:
                lead.setdefault(r[1], []).append(D(P(r[3])))
        la = {k: mean(v) for k, v in lead.items()}
        ecs = D("0.2") * gdp + D("0.2") * fi + D("0.15") * fa + D("0.15") * inc + D("0.15") * la["社会事业"] + D("0.15") * la["生态环境"]
        mgmt = D("0.3") * la["党建与党风廉政"] + D("0.2") * la["依法治市"] + D("0.3") * la["社会稳定与安全生产"] + D("0.2") * la["文明城市创建"]
        award = min(sum({"国家级": 50, "省级": 30}.get(r[2], 10) for r in T["表彰"] if r[0] == u), 100)
        recs = [r for r in T["督查记录"] if r[0] == u]

        def ok(r):
            return r[5] is not None and P(r[5]) <= P(r[4]) and r[6]

        late_ded = min(sum(D(0) if ok(r) else D(2) for r in recs if r[3] == "重点工作滞后督办"), D(12))
        key_u = max(key[u] - late_ded, D(0))
        notice = min(sum(notice_pts / 2 if ok(r) else notice_pts for r in recs if r[3] == "通报批评"), D(5))
        work = w_key * key_u + w_trans * tr + D("0.25") * ecs + D("0.15") * mgmt + D("0.05") * award - notice
        work = max(work, D(0))
        votes = [r for r in T["领导评价票"] if r[0] == u]

        def panel(subject):
            xs = [D(r[3]) for r in votes if r[2] == subject]
            return tmean(xs) if len(xs) > 7 else mean(xs)

        leaders = D("0.6") * panel("市领导") + D("0.4") * panel("部门负责人")
        sv = next(r for r in T["民意调查汇总"] if r[0] == u)
        survey = D(sv[1] + sv[2]) / (sv[1] + sv[2] + sv[3]) * 100
        public = D("0.3") * leaders + D("0.7") * survey
        total = min(q(D("0.8") * work + D("0.2") * public), D(100))
        vetoes = [r[2] for r in T["否决事件"] if r[0] == u]
        cap = "诫勉" if "党政主要负责人严重违纪违法" in vetoes else ("达标" if vetoes else None)
        out[u] = dict(total=total, keys=(total, work, survey), group=group[u], cap=cap)
    bands = [("优秀", D(90)), ("良好", D(80)), ("达标", D(70)), ("诫勉", None)]
    return assign_grades(out, bands, quota=lambda n: 1, per_group=True, ties="break")


def assign_grades(out, bands, quota, per_group, ties):
    """Grades with an optional quota on the first band (per group or overall).
    ties: 'in' (all tied at the line get it) or 'break' (ranking keys decide)."""
    names = [b for b, _ in bands]

    def qualifies(u, band):
        i = names.index(band)
        cap = out[u]["cap"]
        if cap and names.index(cap) > i:
            return False
        th = bands[i][1]
        return th is None or out[u]["total"] >= th

    groups = {}
    for u, r in out.items():
        groups.setdefault(r["group"] if per_group else "", []).append(u)
    for g, us in groups.items():
        us.sort(key=lambda u: tuple(-k for k in out[u]["keys"]))
        limit = quota(len(us)) if quota else None
        top = names[0]
        eligible = [u for u in us if qualifies(u, top)]
        chosen = set(eligible)
        if limit is not None and len(eligible) > limit:
            if ties == "in" and limit > 0:
                line = out[eligible[limit - 1]]["total"]
                chosen = {u for u in eligible if out[u]["total"] >= line}
            else:
                chosen = set(eligible[:limit])
        for u in us:
            if u in chosen:
                out[u]["grade"] = top
            else:
                out[u]["grade"] = next(b for b in names[1:] if qualifies(u, b))
        ranks = ranks_desc([out[u]["keys"] for u in us])
        for u, rk in zip(us, ranks):
            out[u]["group_rank"] = rk
    return out


# ============================================================================
# 泰州 市级机关部门 — rules/taizhou_department.kh (97 units in four categories)
# ============================================================================
# (name, the work its awards are named after)

DEPT_PARTY = [  # 党群口机关 24
    ("市纪委", "党风廉政建设"), ("市委办公室", "党委信息"), ("市委组织部", "组织工作"), ("市委宣传部", "宣传思想"),
    ("市委统战部", "统一战线"), ("市委政法委", "平安建设"), ("市委研究室", "党委调研"), ("市委农工办", "农村工作"),
    ("市编办", "机构编制"), ("市委老干部局", "老干部工作"), ("市级机关工委", "机关党建"), ("市委党校", "干部教育培训"),
    ("市档案局", "档案"), ("市人大常委会办公室", "人大代表工作"), ("市政协办公室", "政协提案"), ("市总工会", "工会"),
    ("团市委", "共青团"), ("市妇联", "妇女儿童"), ("市科协", "科普"), ("市文联", "文艺创作"),
    ("市侨联", "侨联"), ("市残联", "残疾人事业"), ("泰州日报社", "新闻宣传"), ("市台办", "对台工作"),
]
DEPT_GOV = [  # 政府口机关 52
    ("市政府办公室", "政务服务"), ("市发改委", "发展改革"), ("市经信委", "工业经济运行"), ("市教育局", "教育"),
    ("市科技局", "科技创新"), ("市公安局", "公安"), ("市民政局", "民政"), ("市司法局", "司法行政"),
    ("市财政局", "财政"), ("市人社局", "人力资源和社会保障"), ("市国土资源局", "国土资源"), ("市环保局", "环境保护"),
    ("市住建局", "住房城乡建设"), ("市城管局", "城市管理"), ("市规划局", "城乡规划"), ("市交通运输局", "交通运输"),
    ("市水利局", "水利"), ("市农委", "农业"), ("市商务局", "商务"), ("市文广新局", "文化广电新闻出版"),
    ("市卫生局", "卫生"), ("市人口计生委", "人口和计划生育"), ("市审计局", "审计"), ("市统计局", "统计"),
    ("市物价局", "价格"), ("市安监局", "安全生产监管"), ("市旅游局", "旅游"), ("市体育局", "体育"),
    ("市粮食局", "粮食流通"), ("市法制办", "政府法制"), ("市信访局", "信访"), ("市国资委", "国资监管"),
    ("市金融办", "地方金融"), ("市工商局", "工商行政管理"), ("市质监局", "质量技术监督"), ("市食药监局", "食品药品监管"),
    ("市国税局", "国税征管"), ("市地税局", "地税征管"), ("市外侨办", "外事侨务"), ("市民宗局", "民族宗教"),
    ("市海洋与渔业局", "海洋与渔业"), ("市住房公积金管理中心", "住房公积金"), ("市机关事务管理局", "机关事务"),
    ("市民防局", "人民防空"), ("市气象局", "气象"), ("市地震局", "防震减灾"), ("市供销总社", "供销合作"),
    ("市招商局", "招商引资"), ("市政务服务中心", "行政审批服务"), ("市房管局", "房产管理"), ("泰州海关", "海关"),
    ("泰州出入境检验检疫局", "检验检疫"),
]
DEPT_FIN = [  # 驻泰金融机构 12
    ("人民银行泰州市中心支行", "金融稳定"), ("泰州银监分局", "银行业监管"), ("工商银行泰州分行", "小微企业金融服务"),
    ("农业银行泰州分行", "三农金融服务"), ("中国银行泰州分行", "国际结算服务"), ("建设银行泰州分行", "重大项目信贷"),
    ("交通银行泰州分行", "科技金融"), ("农业发展银行泰州市分行", "粮棉油收购信贷"), ("邮储银行泰州市分行", "普惠金融"),
    ("江苏银行泰州分行", "地方法人金融服务"), ("人保财险泰州市分公司", "农业保险"), ("国寿泰州分公司", "民生保险"),
]
DEPT_ENT = [  # 驻泰公共服务企业 9
    ("泰州供电公司", "电力保障"), ("泰州电信分公司", "信息化建设"), ("泰州移动分公司", "移动通信服务"),
    ("泰州联通分公司", "宽带网络建设"), ("泰州市邮政局", "邮政普遍服务"), ("泰州市自来水公司", "城乡供水"),
    ("泰州燃气公司", "燃气安全供应"), ("泰州公交公司", "城市公共交通"), ("江苏有线泰州分公司", "有线电视网络"),
]
DEPT_KINDS = [("党群口机关", DEPT_PARTY), ("政府口机关", DEPT_GOV), ("驻泰金融机构", DEPT_FIN), ("驻泰公共服务企业", DEPT_ENT)]
COMMON_ALL = ["党风廉政建设", "效能建设", "文明城市创建", "依法治市", "社会治安综合治理", "政务公开",
              "机关党建", "信访工作", "安全生产", "人口与计划生育", "节能减排", "档案工作"]
COMMON_BY_KIND = {
    "党群口机关": ["领导班子建设", "保密工作", "信息报送", "建议提案办理"],
    "政府口机关": ["领导班子建设", "建议提案办理", "依法行政", "综合治税"],
    "驻泰金融机构": ["综合治税", "金融支持地方发展", "行风建设"],
    "驻泰公共服务企业": ["综合治税", "公共服务保障", "行风建设"],
}
COMMON_POINTS = {"党风廉政建设": 10, "效能建设": 10, "文明城市创建": 10, "依法治市": 8, "社会治安综合治理": 6,
                 "政务公开": 6, "机关党建": 8, "信访工作": 6, "安全生产": 6, "人口与计划生育": 4, "节能减排": 3,
                 "档案工作": 3, "领导班子建设": 8, "保密工作": 4, "信息报送": 4, "建议提案办理": 4, "依法行政": 4,
                 "综合治税": 4, "金融支持地方发展": 10, "公共服务保障": 10, "行风建设": 6}
DEPT_VETOES = {
    "市住建局": ("重大责任事故或重大效能问题", dt.date(2013, 8, 22),
                "市区某在建保障房项目脚手架坍塌,造成2人死亡;\n市政府调查组认定监管部门日常监督检查不到位,属重大效能问题。"),
    "市粮食局": ("目标台账弄虚作假", dt.date(2013, 12, 12),
                "三、四季度“粮食收购进度”目标台账中,2份佐证材料日期、数量与原始凭证不符,经核查属实。"),
}


def gen_department(year, seed):
    rng = random.Random(seed)
    T = {k: [] for k in ["部门", "目标制定", "目标制定评审", "季度评估", "共性考核", "领导评价票", "民意调查汇总", "督查记录", "表彰", "否决事件"]}
    strength = {}
    domain = {}
    kind_of = {}
    for kind, lst in DEPT_KINDS:
        for name, dom in lst:
            T["部门"].append([name, kind])
            strength[name] = clamp(rng.gauss(0.62, 0.2), 0.1, 1.0)
            domain[name] = dom
            kind_of[name] = kind
    names = [r[0] for r in T["部门"]]
    # the three laggards of the year
    for n, weak in (("市城管局", -0.6), ("泰州公交公司", -0.45), ("市物价局", -0.3), ("江苏银行泰州分行", -0.1)):
        strength[n] = weak
    deadline = dt.date(year, 2, 28)
    for n in names:
        s = strength[n]
        items = rng.randint(15, 32)
        sent = deadline - dt.timedelta(days=rng.randint(0, 12))
        if rng.random() < 0.07 + 0.1 * (1 - s):
            sent = deadline + dt.timedelta(days=rng.randint(1, 9))  # late
        back = 0 if rng.random() < 0.82 else (1 if rng.random() < 0.85 else 2)
        coef = q(D(repr(clamp(rng.gauss(1.0, 0.04), 0.90, 1.10))), 2)
        T["目标制定"].append([n, items, sent, back, coef])
        # expert panel of 7 (the same seven experts review every department)
        base = 84 + 10 * s
        for e in "ABCDEFG":
            sc = clamp(rng.gauss(base, 3), 65, 100)
            T["目标制定评审"].append([n, f"专家{e}", dec(sc, 0) if rng.random() < 0.8 else dec(sc * 2, 0) / 2])
        # quarterly progress: scheduled target points and how much was done
        for qi, (lo, hi) in enumerate(((14, 22), (22, 30), (20, 28), (25, 34))):
            due = D(rng.randint(lo * 2, hi * 2)) / 2
            rate = clamp(rng.gauss(0.80 + 0.16 * s, 0.03), 0.62, 1.0)
            done = min(due, (due * D(repr(rate)) * 2).to_integral_value() / 2)
            partial = ((due - done) * D(repr(rng.uniform(0.0, 0.5))) * 2).to_integral_value() / 2
            T["季度评估"].append([n, "一二三四"[qi] + "季度", due, done, partial])
        # common goals, scored by the lead departments (only those that apply to the category)
        for item in COMMON_ALL + COMMON_BY_KIND[kind_of[n]]:
            if rng.random() < 0.1 + 0.3 * s:
                sc = D(100)
            else:
                sc = dec(clamp(rng.gauss(76 + 16 * s, 6), 50, 99), 0 if rng.random() < 0.8 else 1)
            T["共性考核"].append([n, item, sc])
        # 领导评价: 15 city leaders and department heads on the panel, the odd ballot missing
        for k in range(1, 16):
            if rng.random() < 0.06:
                continue
            sc = clamp(rng.gauss(74 + 20 * s, 4), 55, 100)
            T["领导评价票"].append([n, f"P{k:02d}", int(round(sc))])
        sample = rng.randint(28, 62) * 10
        rate = clamp(rng.gauss(83 + 13 * s, 2.5), 78, 99.6)
        T["民意调查汇总"].append([n, sample, Pct(dec(rate, 2))])
    # 督查记录 (常态督查): ~45 departments with findings over the year
    yy = f"〔{year}〕"
    counters = {"通": 2, "督": 1, "投": 3, "暗": 0, "专": 1}
    weights = [(1.2 - strength[n]) ** 2 for n in names]

    def pick():
        return rng.choices(names, weights)[0]

    def follow(when, kind_limit):
        r = rng.random()
        if r < 0.55:
            return when + dt.timedelta(days=rng.randint(5, kind_limit)), True
        if r < 0.75:
            return when + dt.timedelta(days=rng.randint(kind_limit + 1, kind_limit + 30)), True
        if r < 0.85:
            return when + dt.timedelta(days=rng.randint(5, kind_limit)), False
        return None, False

    def add(n, no, when, way, cat, times=1, limit=30):
        if any(r[0] == n and r[1] == no for r in T["督查记录"]):
            return
        fixed, ok = follow(when, limit)
        if fixed and fixed.year > year:
            fixed, ok = None, False
        T["督查记录"].append([n, no, maybe_slash(when, rng, 0.1), way, cat, times, fixed and maybe_slash(fixed, rng, 0.1), ok])

    for _ in range(20):  # 通报批评 after 日常/专项督查
        counters["通"] += rng.randint(1, 3)
        when = day(year, rng, 20, 340)
        add(pick(), f"泰效通{yy}{counters['通']}号", when, rng.choice(["日常督查", "日常督查", "专项督查"]), "通报批评")
    for _ in range(14):  # 重点项目跟踪督查: progress behind schedule, 15-day limit
        counters["督"] += rng.randint(1, 2)
        add(pick(), f"泰效督{yy}{counters['督']}号", day(year, rng, 60, 330), "重点项目跟踪督查", "进度滞后", limit=15)
    for _ in range(4):  # 专项督查 finding delays: recorded, no clause deducts for them
        counters["专"] += rng.randint(1, 2)
        add(pick(), f"泰效专{yy}{counters['专']}号", day(year, rng, 60, 330), "专项督查", "进度滞后")
    for _ in range(12):  # 举报投诉查处
        counters["投"] += rng.randint(1, 4)
        add(pick(), f"泰效投{yy}{counters['投']}号", day(year, rng, 10, 345), "举报投诉查处", "投诉查实")
    for month in (3, 6, 9, 11):  # 明查暗访 rounds: one notice names several departments
        counters["暗"] += 1
        no = f"泰效暗{yy}{counters['暗']}号"
        when = dt.date(year, month, rng.randint(8, 25))
        for _ in range(rng.randint(2, 5)):
            add(pick(), no, when, "明查暗访", rng.choice(["违反四条禁令", "违反工作纪律", "违反工作纪律"]),
                times=rng.choice([1, 1, 1, 2, 2, 3, 4]))
    renumber(T["督查记录"], 1, 2, rng)
    T["督查记录"].sort(key=lambda r: (plain(r[2]), r[1], names.index(r[0])))
    # 表彰: work experience recognised or promoted
    templates = {
        "国家级": ["全国{d}工作先进集体", "{d}工作经验在全国会议上交流推广"],
        "省级": ["江苏省{d}工作先进单位", "{d}工作经验获省委省政府领导批示推广", "全省{d}系统综合考核第一名"],
        "市级": ["{d}创新做法获市委主要领导批示推广", "{d}工作经验获市政府主要领导批示推广"],
    }
    for n in names:
        s = strength[n]
        if rng.random() < 0.25 + 0.35 * s:
            levels = rng.choices(["国家级", "省级", "市级"], [1, 4, 4], k=rng.choice([1, 1, 1, 2, 2, 3]))
            seen = set()
            for lvl in levels:
                title = rng.choice(templates[lvl]).format(d=domain[n]).replace("工作工作", "工作")
                if title in seen:
                    continue
                seen.add(title)
                T["表彰"].append([n, title, lvl, maybe_slash(day(year, rng, 30, 355), rng, 0.2)])
    for n, (kind, when, text) in DEPT_VETOES.items():
        T["否决事件"].append([n, when, kind, text])
    return T


def score_department(T, year):
    kind = {r[0]: r[1] for r in T["部门"]}
    by = lambda t: rows_of(T[t])
    goal, review, quarters, common = by("目标制定"), by("目标制定评审"), by("季度评估"), by("共性考核")
    votes, survey, insp, awards, vetoes = by("领导评价票"), by("民意调查汇总"), by("督查记录"), by("表彰"), by("否决事件")
    out = {}
    for u in kind:
        g = goal[u][0]
        ded = (10 if g[2] > dt.date(year, 2, 28) else 0) + (5 * g[3] if g[3] > 0 else 0)
        making = max(tmean([D(plain(r[2])) for r in review[u]]) - min(ded, 20), D(0))
        qs = [min((r[3] + r[4] * D("0.6")) / r[2] * g[4], D(1)) * 100 for r in quarters[u]]
        fake = any(r[2] == "目标台账弄虚作假" for r in vetoes.get(u, []))
        process = D(0) if fake else sum(qs) / 4
        func = D("0.05") * making + D("0.95") * process
        com = sum(COMMON_POINTS[r[1]] * D(r[2]) / 100 for r in common[u])
        public = D("0.3") * tmean([D(r[2]) for r in votes[u]]) + D("0.7") * plain(survey[u][0][2]) * 100
        recs = [[plain(v) for v in r] for r in insp.get(u, [])]

        def within(r, days):
            return r[7] and r[6] is not None and (r[6] - r[2]).days <= days

        d1 = min(sum(D("0.5") if within(r, 30) else D(1) for r in recs if r[4] == "通报批评"), D(4))
        d2 = min(sum(D(0) if within(r, 15) else D(1) for r in recs if r[3] == "重点项目跟踪督查" and r[4] == "进度滞后"), D(3))
        d3 = min(sum(D(0) if within(r, 30) else D("0.5") for r in recs if r[4] == "投诉查实"), D(3))
        d4 = min(sum(D("0.5") * r[5] for r in recs if r[3] == "明查暗访" and r[4] in ("违反四条禁令", "违反工作纪律")), D(3))
        bonus = min(sum({"国家级": D(2), "省级": D(1)}.get(r[2], D("0.5")) for r in awards.get(u, [])), D(3))
        total = q(D("0.6") * func + D("0.2") * com + D("0.2") * public - min(d1 + d2 + d3 + d4, D(10)) + bonus)
        vs = [r[2] for r in vetoes.get(u, [])]
        cap = "诫勉" if "班子成员严重违纪违法" in vs else ("达标" if vs else None)
        out[u] = dict(total=total, keys=(total, func, public), group=kind[u], cap=cap)
    bands = [("优秀", D(90)), ("良好", D(80)), ("达标", D(70)), ("诫勉", None)]
    return assign_grades(out, bands, quota=None, per_group=True, ties="break")


def rows_of(rows, col=0):
    out = {}
    for r in rows:
        out.setdefault(r[col], []).append(r)
    return out


# ============================================================================
# 裕华区政府办公室 — rules/yuhua_office.kh (one .xlsx workbook)
# ============================================================================

YUHUA_STAFF = [
    # 科室, 岗位, [(姓名, 职务)]; None = 职务 not filled in (seconded staff)
    ("秘书科", "文秘", [("周敏", "科长"), ("高文静", "副科长"), ("吴刚", "科员"), ("陈静", "科员"),
                      ("刘晓燕", "科员"), ("杨帆", "科员"), ("马丽", "科员")]),
    ("行政科", "文秘", [("郭建军", "科长"), ("赵倩", "科员"), ("孙浩", "科员"), ("李娜", None)]),
    ("信息科", "信息", [("王芳", "科长"), ("李强", "副科长"), ("张丽", "科员"), ("刘洋", "科员"), ("黄敏", "科员")]),
    ("综合调研科", "信息", [("何伟", "科长"), ("林娜", "科员"), ("韩雪", None)]),
    ("督查室", "督查", [("郑华", "主任"), ("冯涛", "副主任"), ("许志刚", "科员"), ("谢婷", "科员"),
                     ("田野", "科员"), ("袁媛", "科员")]),
    ("总值班室", "值班", [("宋建国", "主任"), ("赵磊", "值班员"), ("孙丽", "值班员"), ("唐敏", "值班员"),
                      ("彭亮", "值班员"), ("曹磊", "值班员"), ("邓丽娟", "机要员")]),
]
YUHUA_TWINS = ("杨帆", "马丽")  # identical records: tied totals, placed at the 优秀 quota line
YUHUA_BREACH = "曹磊"  # one 泄密 case (veto 严重失职)
YUHUA_LEADERS = ["主任", "副主任甲", "副主任乙", "副主任丙"]
YUHUA_ACTIVITIES = [
    "区政府常务会议", "区长调研东南分区项目建设", "全区经济工作调度会", "城中村改造推进会", "区政府全体会议",
    "副区长督导安全生产", "东南分区拆迁工作交流会", "社区建设现场会", "招商引资项目签约仪式", "市领导视察裕华区",
    "防汛工作部署会", "区长接待日", "重点项目观摩会", "全区信访稳定工作会议", "创建文明城区动员会",
    "区政府与驻区单位座谈会", "冬季供暖保障调度会", "食品安全专项整治会议", "新农村建设现场推进会", "区人大视察区政府工作",
]
YUHUA_TOPICS = [
    "东南分区开发建设进展顺利", "加快城中村改造", "社区服务网络建设", "财政收入稳步增长", "项目建设提速",
    "城市管理见成效", "推进城乡一体化", "民营经济发展势头良好", "就业再就业工作扎实推进", "农村新型合作医疗全覆盖",
    "打造槐安路商贸带", "抓好节能减排", "整治市容环境", "推进平安裕华建设", "做好奥运安保工作",
]


def gen_yuhua(seed, twin_level=None):
    """The workbook's tables. twin_level sets the year-end scores of the twins."""
    year = 2008
    rng = random.Random(seed)
    staff = [(name, office, post, title) for office, post, people in YUHUA_STAFF for name, title in people]
    strength = {name: clamp(rng.gauss(0.62, 0.2), 0.15, 1.0) for name, *_ in staff}
    T = {k: [] for k in ["工作人员", "值班记录", "交办件", "信息报送", "信息采用", "督查事项", "提案办理", "公文差错", "会务差错", "年终测评"]}
    counters = {"SZ": 100, "LX": 20, "DC": 0, "RD": 0, "ZX": 0}
    for name, office, post, title in staff:
        T["工作人员"].append([name, office, post, title])
        s = strength[name]
        if post == "值班":
            n_inc = rng.choices([0, 1, 2, 3, 4], [5 * s, 4, 2, 1.5 * (1 - s), 1 * (1 - s)])[0]
            for _ in range(n_inc):
                cat = rng.choices(["交接不清", "不及时取件", "脱岗漏岗", "突发情况迟报漏报", "误件压件丢件"], [5, 4, 1, 1.2, 1.5])[0]
                when = day(year, rng, 5, 360)
                amount = None
                note = None
                if cat == "误件压件丢件":
                    amount = rng.choice([None, D(6), D(8), D(12)])  # 12 is outside 5–10: the scheme clamps it
                    note = f"{when.month}月{when.day}日市政府办来文延误送达" if amount else None
                elif cat == "交接不清":
                    note = rng.choice([None, "夜班交接未登记来电", "交接班记录不全"])
                T["值班记录"].append([name, when, cat, amount, note])
            for _ in range(rng.randint(24, 42)):
                channel = rng.choices(["市长公开电话", "群众来信", "群众来访"], [6, 2, 2])[0]
                prefix = "SZ" if channel == "市长公开电话" else "LX"
                counters[prefix] += rng.randint(1, 3)
                no = f"{'市长电话' if prefix == 'SZ' else '信访'}2008-{counters[prefix]:04d}"
                given = day(year, rng, 3, 362)
                limit = given + dt.timedelta(days=rng.choice([5, 7, 10, 15]))
                r = rng.random()
                if r < 0.01 + 0.04 * (1 - s):
                    closed = limit + dt.timedelta(days=rng.randint(1, 12))
                else:
                    closed = given + dt.timedelta(days=rng.randint(1, (limit - given).days))
                if closed.year > year or (given >= dt.date(year, 12, 18) and rng.random() < 0.5):
                    closed = None  # still open at the end of the year
                visit = rng.choices(["满意", "基本满意", "不满意", "未回访"], [70, 15, 0.5 + 2 * (1 - s), 12])[0]
                if closed is None:
                    visit = "未回访"
                T["交办件"].append([name, no, channel, given, limit, closed, visit])
        elif post == "信息":
            for _ in range(rng.randint(26, 44)):
                when = day(year, rng, 8, 358)
                while when.weekday() >= 5:
                    when += dt.timedelta(days=1)
                half = rng.choice(["上午", "上午", "下午"])
                bad = 1 - s
                r = rng.random()
                if half == "上午":
                    outcomes = [((0, "下午"), 0.78), ((0, "上午"), 0.06), ((1, "上午"), 0.06 + 0.08 * bad),
                                ((1, "下午"), 0.01 + 0.03 * bad), ((2, "上午"), 0.01 + 0.02 * bad), (None, 0.004 + 0.02 * bad)]
                else:
                    outcomes = [((1, "上午"), 0.86), ((0, "下午"), 0.08), ((1, "下午"), 0.01 + 0.03 * bad),
                                ((3, "上午"), 0.005 + 0.01 * bad), (None, 0.004 + 0.02 * bad)]
                choice = rng.choices([o for o, _ in outcomes], [w for _, w in outcomes])[0]
                if choice is None:
                    sent, sent_half = None, None
                else:
                    sent, sent_half = when + dt.timedelta(days=choice[0]), choice[1]
                T["信息报送"].append([name, rng.choice(YUHUA_ACTIVITIES), when, half, sent, sent_half])
            used = set()
            for kind, level, lo, hi in (("信息", "市级", 6, 16), ("信息", "省级及以上", 0, 3), ("调研报告", "市级", 0, 2), ("调研报告", "省级及以上", 0, 1)):
                for _ in range(int(round(lo + (hi - lo) * clamp(0.45 + 0.55 * s + rng.uniform(-0.15, 0.15), 0, 1)))):
                    topic = rng.choice(YUHUA_TOPICS)
                    title = f"裕华区{topic}" if kind == "信息" else f"关于裕华区{topic[:6]}的调查与思考"
                    while title in used:
                        title += "(续)"
                    used.add(title)
                    T["信息采用"].append([name, title, kind, level, maybe_slash(day(year, rng, 20, 360), rng, 0.1)])
        elif post == "督查":
            for _ in range(rng.randint(12, 24)):
                counters["DC"] += 1
                cat = rng.choices(["领导批示件", "会议议定事项", "上级交办事项"], [5, 3, 2])[0]
                due = day(year, rng, 20, 365)
                bad = 1 - s
                r = rng.random()
                reason = False
                if r < 0.03 + 0.06 * bad:
                    done = due + dt.timedelta(days=rng.randint(2, 20))
                    reason = rng.random() < 0.5
                else:
                    done = due - dt.timedelta(days=rng.randint(0, 15))
                if done.year > year or (due.month == 12 and rng.random() < 0.1):
                    done = None
                    reason = due.month == 12 and rng.random() < 0.5
                T["督查事项"].append([
                    name, f"督查2008-{counters['DC']:03d}", cat, due, done, reason,
                    rng.random() > 0.01 + 0.02 * bad, rng.random() > 0.01 + 0.03 * bad, rng.random() < 0.003 + 0.01 * bad,
                    rng.choices(["满意", "不满意", "未回访"], [60, 0.5 + 2 * bad, 35])[0], rng.random() < 0.002 + 0.008 * bad,
                ])
            for _ in range(rng.randint(3, 9)):
                cat = rng.choice(["人大代表建议", "政协委员提案"])
                key = "RD" if cat == "人大代表建议" else "ZX"
                counters[key] += rng.randint(1, 3)
                no = f"{'建议' if key == 'RD' else '提案'}第{counters[key]}号"
                due = dt.date(year, rng.choice([6, 7]), rng.choice([15, 30]))
                done = due - dt.timedelta(days=rng.randint(0, 40)) if rng.random() > 0.06 + 0.1 * (1 - s) else due + dt.timedelta(days=rng.randint(3, 30))
                problem = rng.choices(["无", "格式不规范", "与实际不符", "未答复所提问题", "不完整或语气生硬"], [88, 5, 2, 2, 3])[0]
                T["提案办理"].append([name, no, cat, due, done, rng.random() > 0.08, rng.random() > 0.1, problem,
                                   rng.choices(["满意", "基本满意", "不满意"], [78, 19, 3])[0]])
        else:  # 文秘
            if name in YUHUA_TWINS:
                doc_errors = [("文稿退改", 1), ("签发登记超时", 1), ("文稿退改", 1)]
                meet_errors = ["通知错漏"]
            else:
                doc_errors = [(rng.choices(["文稿退改", "印发差错", "重印", "签发登记超时", "传阅未按时收回", "传阅件丢失"], [6, 4, 0.6, 3, 4, 0.5])[0],
                               rng.choice([1, 1, 2, 3])) for _ in range(rng.choices([0, 1, 2, 3, 4, 5], [3 * s, 3, 2, 1.5, 1, 0.5])[0])]
                meet_errors = [rng.choices(["通知错漏", "材料会场准备失误", "会议延误或重大失误", "接待安排失误", "接待投诉属实"], [4, 4, 0.5, 3, 0.7])[0]
                               for _ in range(rng.choices([0, 1, 2, 3], [4 * s, 2, 1, 0.5])[0])]
            for cat, places in doc_errors:
                T["公文差错"].append([name, day(year, rng, 10, 360), f"裕政{rng.choice(['', '办'])}〔2008〕{rng.randint(3, 120)}号",
                                   cat, places if cat == "印发差错" else 1])
            for cat in meet_errors:
                event = rng.choice(["全区经济工作会议", "区政府全体会议", "城中村改造现场会", "市领导视察东南分区接待",
                                    "省考核组来区考核接待", "全区安全生产工作会议", "区政府常务会议", "外地考察团接待"])
                T["会务差错"].append([name, day(year, rng, 10, 360), event, cat])
    # the one 泄密 case of the year, and the 误件 cases the director rated within (or outside) 5–10
    T["值班记录"] += [
        [YUHUA_BREACH, dt.date(year, 10, 14), "泄密", D(15),
         "将一份涉密明电经普通传真发往街道办事处。\n经区保密局认定为一般泄密事件,已作书面检查。"],
        ["孙丽", dt.date(year, 3, 27), "误件压件丢件", D(8), "市政府办明电压件一天,影响会议通知"],
        ["唐敏", dt.date(year, 11, 5), "误件压件丢件", D(12), "丢失区长批示件,补办后送达(主任认定 12 分,超出区间)"],
        ["彭亮", dt.date(year, 7, 2), "误件压件丢件", None, None],
        ["赵磊", dt.date(year, 8, 9), "突发情况迟报漏报", None, "槐中路燃气管道泄漏,晚 40 分钟报区应急办"],
    ]
    for table, no_idx, date_idx in (("交办件", 1, 3), ("督查事项", 1, 3), ("提案办理", 1, 3), ("公文差错", 2, 1)):
        renumber(T[table], no_idx, date_idx, rng)
    order = {name: i for i, (name, *_) in enumerate(staff)}
    for table, date_idx in (("值班记录", 1), ("交办件", 3), ("信息报送", 2), ("信息采用", 4), ("督查事项", 3),
                            ("提案办理", 3), ("公文差错", 1), ("会务差错", 1)):
        T[table].sort(key=lambda r: (order[r[0]], plain(r[date_idx]), [cell_text(v) for v in r[1:]]))
    # year-end: office leadership (4) and a ballot from every other member of staff
    names = [n for n, *_ in staff]
    ballot = {n: f"测评票{i + 1:02d}" for i, n in enumerate(names)}
    twin_noise = [rng.gauss(0, 2.5) for _ in names]
    twin_lead_noise = [rng.gauss(0, 1.5) for _ in YUHUA_LEADERS]
    for n in names:
        s = strength[n]
        if n in YUHUA_TWINS:
            lvl = twin_level if twin_level is not None else 86.0
            for k, who in enumerate(YUHUA_LEADERS):
                T["年终测评"].append([n, who, "主任办公会", int(round(clamp(lvl + 2 + twin_lead_noise[k], 60, 100)))])
            for i, rater in enumerate(names):
                if rater == n:
                    continue
                if rater in YUHUA_TWINS:  # the twins rate each other alike
                    i = names.index(YUHUA_TWINS[0])
                T["年终测评"].append([n, ballot[rater], "全体人员", int(round(clamp(lvl + twin_noise[i], 60, 100)))])
            continue
        for who in YUHUA_LEADERS:
            T["年终测评"].append([n, who, "主任办公会", int(round(clamp(rng.gauss(78 + 17 * s, 3), 60, 100)))])
        for rater in names:
            if rater != n:
                T["年终测评"].append([n, ballot[rater], "全体人员", int(round(clamp(rng.gauss(80 + 14 * s, 4.5), 55, 100)))])
    return T


def score_yuhua(T):
    year_end = dt.date(2008, 12, 31)
    staff = {r[0]: r for r in T["工作人员"]}
    by = {t: rows_of(T[t]) for t in T}
    P = lambda rows: [[plain(v) for v in r] for r in rows]
    info_pts = {}
    for n, r in staff.items():
        if r[2] == "信息":
            pts = 0
            for x in by["信息采用"].get(n, []):
                pts += {("信息", "市级"): 5, ("信息", "省级及以上"): 15, ("调研报告", "市级"): 15, ("调研报告", "省级及以上"): 30}[(x[2], x[3])]
            info_pts[n] = D(pts)
    best = max(list(info_pts.values()) + [D(1)])
    out = {}
    for n, r in staff.items():
        post = r[2]
        if post == "值班":
            recs = P(by["值班记录"].get(n, []))
            cnt = lambda c: sum(1 for x in recs if x[2] == c)
            duty = max(30 - 10 * cnt("脱岗漏岗") - 5 * cnt("交接不清"), 0)
            emerg = 0 if cnt("突发情况瞒报") else max(30 - 15 * cnt("突发情况迟报漏报"), 0)
            items = P(by["交办件"].get(n, []))
            ded = sum(2 for x in items if x[5] is not None and x[5] > x[4]) + sum(4 for x in items if x[5] is None and x[4] <= year_end) \
                + sum(2 for x in items if x[6] == "不满意")
            hand = max(20 - ded, 0)
            ded = 5 * cnt("不及时取件") + sum(clamp(x[3], 5, 10) if x[3] is not None else 5 for x in recs if x[2] == "误件压件丢件") \
                + sum(clamp(x[3], 10, 20) if x[3] is not None else 10 for x in recs if x[2] == "泄密")
            telex = max(20 - ded, 0)
            business = D(duty + emerg + hand) + telex
        elif post == "信息":
            used = info_pts[n] / best * 100
            ded = 0
            for x in P(by["信息报送"].get(n, [])):
                if x[4] is None:
                    ded += 20
                else:
                    gap = (x[4] - x[2]).days
                    if gap > 1 or (gap == 1 and x[5] == "下午"):
                        ded += 10
                    elif x[3] == "上午" and gap == 1 and x[5] == "上午":
                        ded += 2
            business = D("0.6") * used + D("0.4") * max(100 - ded, 0)
        elif post == "督查":
            xs = P(by["督查事项"].get(n, []))
            t = max(20 - sum(5 for x in xs if x[4] is not None and x[4] > x[3] and not x[5])
                    - sum(10 for x in xs if x[4] is None and x[3] <= year_end and not x[5]), 0)
            p = max(10 - sum(10 for x in xs if not x[6]), 0)
            qy = max(30 - sum(10 for x in xs if not x[7]) - sum(15 for x in xs if x[8]), 0)
            res = max(40 - sum(10 for x in xs if x[9] == "不满意") - sum(20 for x in xs if x[10]), 0)
            ps = P(by["提案办理"].get(n, []))
            pt = max(20 - sum(2 for x in ps if (x[4] > x[3] if x[4] is not None else x[3] <= year_end)), 0)
            pp = max(20 - sum(5 for x in ps if not x[5]) - sum(5 for x in ps if not x[6]), 0)
            pq = max(30 - sum((5 if x[7] in ("与实际不符", "未答复所提问题") else 2) for x in ps if x[7] != "无"), 0)
            pr = max(30 - sum(5 for x in ps if x[8] == "不满意") - sum(1 for x in ps if x[8] == "基本满意"), 0)
            business = D("0.6") * (t + p + qy + res) + D("0.4") * (pt + pp + pq + pr)
        else:
            xs = P(by["公文差错"].get(n, []))
            cnt = lambda c: sum(1 for x in xs if x[3] == c)
            docs = max(30 - 2 * cnt("文稿退改"), 0) + max(20 - sum(2 * x[4] for x in xs if x[3] == "印发差错") - 10 * cnt("重印"), 0) \
                + max(30 - 3 * cnt("签发登记超时"), 0) + max(20 - 2 * cnt("传阅未按时收回") - 10 * cnt("传阅件丢失"), 0)
            ms = [x[3] for x in by["会务差错"].get(n, [])]
            meet = max(60 - 5 * sum(1 for c in ms if c in ("通知错漏", "材料会场准备失误")) - 20 * ms.count("会议延误或重大失误"), 0) \
                + max(40 - 5 * ms.count("接待安排失误") - 10 * ms.count("接待投诉属实"), 0)
            business = D("0.6") * docs + D("0.4") * meet
        votes = by["年终测评"][n]
        lead = mean(D(x[3]) for x in votes if x[2] == "主任办公会")
        staff_votes = [D(x[3]) for x in votes if x[2] == "全体人员"]
        demo = tmean(staff_votes) if len(staff_votes) >= 5 else mean(staff_votes)
        year_score = D("0.5") * lead + D("0.5") * demo
        total = min(q(D("0.8") * business + D("0.2") * year_score), D(100))
        breach = any(x[2] in ("泄密", "突发情况瞒报") for x in by["值班记录"].get(n, []))
        out[n] = dict(total=total, keys=(total, business, year_score), group=r[1], cap="不合格" if breach else None)
    bands = [("优秀", D(90)), ("合格", D(60)), ("不合格", None)]
    return assign_grades(out, bands, quota=lambda n: n * 20 // 100, per_group=False, ties="in")


def arrange_yuhua(seed):
    """Choose the twins' year-end level so that they tie exactly at the 优秀 quota line."""
    base = score_yuhua(gen_yuhua(seed))
    others = [r for n, r in base.items() if n not in YUHUA_TWINS and r["cap"] is None and r["total"] >= 90]
    above = sorted((r["total"] for r in others), reverse=True)
    quota = len(base) * 20 // 100
    for tenth in range(990, 600, -1):
        level = tenth / 10
        T = gen_yuhua(seed, level)
        out = score_yuhua(T)
        t = out[YUHUA_TWINS[0]]["total"]
        assert t == out[YUHUA_TWINS[1]]["total"]
        n_above = sum(1 for x in above if x > t)
        if t >= 90 and n_above == quota - 1 and t not in above:
            return T, out
    print("  note: could not place the Yuhua twins at the quota line", file=sys.stderr)
    return gen_yuhua(seed), base


# ============================================================================
# 青岛 市直机关公务员 — rules/qingdao_individual.kh (parameterised by N)
# ============================================================================

QD_DEPTS = [
    ("市财政局", "财", ["办公室", "预算处", "国库处", "综合处", "行政政法处", "教科文处", "经济建设处", "农业处",
                     "社会保障处", "企业处", "会计处", "政府采购管理处"]),
    ("市人力资源和社会保障局", "人社", ["办公室", "就业促进处", "社会保险处", "劳动关系处", "职业能力建设处",
                               "专业技术人员管理处", "工资福利处", "政策法规处"]),
    ("市审计局", "审", ["办公室", "财政审计处", "经济责任审计处", "固定资产投资审计处", "金融审计处", "农业与资源环保审计处"]),
    ("市发展和改革委员会", "发改", ["办公室", "综合处", "固定资产投资处", "产业协调处", "价格管理处", "社会发展处", "能源处"]),
    ("市教育局", "教", ["办公室", "基础教育处", "职业教育处", "高等教育处", "计划财务处", "人事处", "督导室"]),
    ("市民政局", "民", ["办公室", "社会救助处", "基层政权处", "社会福利处", "社会组织管理处", "优抚安置处"]),
    ("市国土资源和房屋管理局", "国土", ["办公室", "规划处", "耕地保护处", "地籍管理处", "房地产市场处", "执法监察处"]),
    ("市交通运输委员会", "交", ["办公室", "综合计划处", "运输管理处", "建设管理处", "安全监督处", "港航处"]),
    ("市商务局", "商", ["办公室", "外资管理处", "对外贸易处", "市场体系建设处", "口岸处"]),
    ("市卫生局", "卫", ["办公室", "医政处", "疾病预防控制处", "基层卫生处", "卫生监督处", "规划财务处"]),
]
QD_SERVICE = {"国库处", "政府采购管理处", "会计处", "就业促进处", "社会保险处", "劳动关系处", "社会救助处",
              "社会福利处", "优抚安置处", "房地产市场处", "运输管理处", "口岸处", "医政处", "基础教育处"}
QD_DISTRICT_PREFIXES = ["", "市南区", "市北区", "李沧区", "崂山区", "城阳区", "黄岛区", "即墨市", "胶州市", "平度市", "莱西市"]
SURNAMES = ("王王王王张张张李李李刘刘孙孙赵赵杨陈徐高于马郭宋董韩曲周吴胡朱林何罗郑梁谢唐许冯邓曹彭曾肖田袁潘蒋蔡"
            "杜程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石贾夏方白孟秦邱江尹薛段雷侯史陶毛郝邵万钱严武戴孔汤隋宫逄")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平",
         "刚", "建华", "建国", "志强", "海燕", "晓燕", "文静", "丽娜", "立新", "春梅", "志刚", "红梅", "海涛", "宁", "鹏", "晨",
         "琳", "婷", "雪", "慧", "颖", "浩", "宇", "凯", "斌", "亮", "波", "辉", "峰", "健", "彬", "倩", "晶", "璐", "蕾", "萍",
         "红", "梅", "燕", "玲", "莉", "华", "东", "旭", "松", "林", "楠", "晓东", "国栋", "振华", "雅琴", "新民", "玉梅", "春晓"]
QD_RESULTS = ["{d}绩效预算改革经验", "{d}窗口服务标准化做法", "{d}信息化管理平台", "{d}政策调研报告", "{d}工作流程再造经验",
              "{d}规范化建设经验", "{d}“一站式”服务模式"]


def qd_offices(n, rng):
    """(部门, abbreviation, 处室, size) until n people are planned. A small n takes
    three offices from each department (a slice: 8 offices in 3 departments for n=150)."""
    per_dept = 3 if n <= 1000 else None
    planned, out = 0, []
    k = 0
    while planned < n:
        prefix = QD_DISTRICT_PREFIXES[(k // len(QD_DEPTS)) % len(QD_DISTRICT_PREFIXES)]
        cycle = k // (len(QD_DEPTS) * len(QD_DISTRICT_PREFIXES))
        base, abbr, offices = QD_DEPTS[k % len(QD_DEPTS)]
        dept = prefix + (base[1:] if prefix else base) + (f"({cycle + 1})" if cycle else "")
        for office in offices[:per_dept]:
            size = rng.randint(14, 24)
            if n - planned - size < 8:
                size = n - planned
            out.append((dept, abbr, f"{dept}·{office}", size))
            planned += size
            if planned >= n:
                break
        k += 1
    return out


def qd_person(rng, year, pid, name, dept, abbr, office, grade, s, counters):
    """All rows of one civil servant (a dict table -> rows)."""
    R = {t: [] for t in ("公务员", "KPI季报", "月度总结", "季度测评", "年度测评", "监督信息", "工作成果")}
    R["公务员"].append([pid, name, dept, office, grade])
    bad = 1 - s
    service = office.split("·")[-1] in QD_SERVICE
    budgeted = rng.random() < 0.3
    for qi in range(1, 5):
        quality = Pct(dec(clamp(rng.gauss(82 + 16 * s, 4), 60, 108), 1))
        late = 0 if rng.random() > 0.1 + 0.4 * bad else rng.randint(1, 8)
        sat = Pct(dec(clamp(rng.gauss(80 + 16 * s, 3.5), 65, 100), 1)) if service and rng.random() < 0.95 else None
        budget = spent = None
        if budgeted and rng.random() < 0.85:
            b = D(rng.randint(50, 300_000)) / 100 if rng.random() < 0.5 else D(rng.randint(500, 9_000)) / 100
            spent_v = q(b * D(repr(rng.uniform(0.82, 1.02 + 0.12 * bad))), 2)
            budget, spent = (Thou(b), Thou(spent_v)) if b >= 1000 else (b, spent_v)
        R["KPI季报"].append([pid, f"{year}Q{qi}", quality, late, sat, budget, spent])
    for m in range(1, 13):
        status = rng.choices(["按时", "逾期", "未交"], [90, 6 + 14 * bad, 1 + 6 * bad])[0]
        score = None if status == "未交" else int(round(clamp(rng.gauss(74 + 20 * s, 3), 50, 100)))
        R["月度总结"].append([pid, f"{year}-{m:02d}", status, score])
    n_col = rng.randint(5, 8)
    n_srv = rng.randint(4, 6) if service else rng.randint(3, 4)
    for qi in range(1, 5):
        period = f"Q{qi}"
        for who, prefix, count, base in (("领导", "L", 2, 80), ("同事", "C", n_col, 81), ("服务对象", "S", n_srv, 82)):
            for k in range(1, count + 1):
                R["季度测评"].append([pid, period, f"{prefix}{k}", who, int(round(clamp(rng.gauss(base - 6 + 20 * s, 4), 50, 100)))])
    for k in range(1, rng.choice([5, 5, 6, 7]) + 1):
        R["年度测评"].append([pid, f"A{k}"] + [int(round(clamp(rng.gauss(76 + 19 * s + (2 if dim == "廉" else 0), 3.5), 50, 100)))
                                              for dim in ("德", "能", "勤", "廉")])
    # supervision cases: (来源, 情形, yearly probability)
    leader = grade == "处级"
    for source, case, p in (("信访", "有效投诉", 0.03), ("干部监督", "明察暗访违纪", 0.035), ("审计", "审计查出问题", 0.03),
                            ("纪检监察", "诫勉谈话", 0.008), ("纪检监察", "函询属实", 0.006), ("干部监督", "组织处理", 0.006),
                            ("行政复议", "被撤销变更或确认违法", 0.01), ("行政诉讼", "败诉", 0.006),
                            ("行政诉讼", "负责人不出庭应诉", 0.02 if leader else 0), ("反贪", "立案侦查", 0.0002)):
        if rng.random() < p * (0.6 + bad):
            when = day(year, rng, 15, 350)
            counters[source] = counters.get(source, 0) + rng.randint(1, 5)
            no = {"信访": f"青信复〔{year}〕{counters[source]}号", "干部监督": f"青组干监〔{year}〕{counters[source]}号",
                  "审计": f"青审{abbr}〔{year}〕{counters[source]}号", "纪检监察": f"青纪函〔{year}〕{counters[source]}号",
                  "行政复议": f"青政复决〔{year}〕{counters[source]}号", "行政诉讼": f"({year})青行初字第{counters[source]}号",
                  "反贪": f"青检反贪立〔{year}〕{counters[source]}号"}[source]
            duty = "领导责任" if leader and source != "行政诉讼" and rng.random() < 0.6 else "直接责任"
            fixed = None
            if source == "审计":
                r = rng.random()
                if r < 0.6:
                    fixed = when + dt.timedelta(days=rng.randint(20, 90))
                elif r < 0.85:
                    fixed = when + dt.timedelta(days=rng.randint(91, 150))
                if fixed and fixed.year > year:
                    fixed = None
            R["监督信息"].append([pid, maybe_slash(when, rng, 0.1), source, case, duty, no, fixed])
    if rng.random() < 0.03 + 0.08 * s:
        level = rng.choices(["市级", "省级", "国家级"], [10, 3, 0.6])[0]
        domain = dept.split("市")[-1].rstrip("局委会") or dept
        R["工作成果"].append([pid, rng.choice(QD_RESULTS).format(d=domain), level])
    return R


def qd_score(R):
    """Preview of one person's total: (total, 关键绩效, 季测评, 年度考核, capped?)."""
    K = [[plain(v) for v in r] for r in R["KPI季报"]]
    qual = [min(r[2], D(1)) * 100 for r in K]
    time = [max(D(100) - r[3] * 5, D(0)) for r in K]
    sat = [r[4] * 100 if r[4] is not None else ql for r, ql in zip(K, qual)]

    def cost(r, ql):
        if r[5] is not None and r[6] is not None and r[5] > 0:
            x = r[6] / r[5]
            return D(100) if x <= 1 else (100 - (x - 1) * 200 if x < D("1.5") else D(0))
        return ql

    costs = [cost(r, ql) for r, ql in zip(K, qual)]
    kpi = D("0.4") * mean(qual) + D("0.3") * mean(time) + D("0.2") * mean(sat) + D("0.1") * mean(costs)
    monthly = mean({"按时": D(r[3] or 0), "逾期": max(D(r[3] or 0) - 10, D(0))}.get(r[2], D(0)) for r in R["月度总结"])
    quarters = []
    for qi in range(1, 5):
        rows = [r for r in R["季度测评"] if r[1] == f"Q{qi}"]

        def part(who, trim):
            xs = [D(r[4]) for r in rows if r[3] == who]
            return tmean(xs) if trim and len(xs) >= 5 else mean(xs)

        quarters.append(D("0.4") * part("领导", False) + D("0.3") * part("同事", True) + D("0.3") * part("服务对象", True))
    evaluation = mean(quarters)
    A = R["年度测评"]
    dims = []
    for i in range(2, 6):
        xs = [D(r[i]) for r in A]
        dims.append(tmean(xs) if len(xs) >= 5 else mean(xs))
    annual = mean(dims)
    S = [[plain(v) for v in r] for r in R["监督信息"]]
    f = lambda r: D("0.5") if r[4] == "领导责任" else D(1)
    ded = min(sum(5 * f(r) for r in S if r[2] == "纪检监察" and r[3] in ("诫勉谈话", "函询属实")), D(10))
    ded += min(sum(3 * f(r) for r in S if r[2] == "干部监督" and r[3] == "组织处理")
               + sum(1 * f(r) for r in S if r[2] == "干部监督" and r[3] == "明察暗访违纪"), D(6))
    ded += min(sum(2 * f(r) for r in S if r[2] == "信访" and r[3] == "有效投诉"), D(10))
    ded += min(sum(2 * f(r) * (D("0.5") if r[6] is not None and (r[6] - r[1]).days <= 90 else 1)
                   for r in S if r[2] == "审计" and r[3] == "审计查出问题"), D(6))
    ded += min(sum(3 * f(r) for r in S if r[2] == "行政复议"), D(9))
    ded += min(sum(3 * f(r) for r in S if r[2] == "行政诉讼" and r[3] == "败诉") + sum(1 for r in S if r[3] == "负责人不出庭应诉"), D(9))
    bonus = max([{"国家级": D(5), "省级": D(3), "市级": D(2)}[r[2]] for r in R["工作成果"]], default=D(0))
    total = min(q(D("0.5") * kpi + D("0.1") * monthly + D("0.2") * evaluation + D("0.2") * annual - min(ded, D(20)) + min(bonus, D(5))), D(100))
    capped = any(r[3] in ("党纪政纪处分", "立案侦查") for r in S)
    return total, kpi, evaluation, annual, capped


def qd_tied_pair(year, a, b, base, level):
    """Two people whose totals are equal to the cent but whose KPI differs, so
    the ranking's tie-breaker decides: B's quality in Q1 is 10 points higher
    (KPI +1.0, total +0.5), A's 德 is 10 points higher from every rater
    (年度考核 +2.5, total +0.5)."""
    out = []
    for who, extra_quality, extra_de in ((a, 0, 10), (b, 10, 0)):
        pid, name, dept, office, grade = who
        R = {t: [] for t in ("公务员", "KPI季报", "月度总结", "季度测评", "年度测评", "监督信息", "工作成果")}
        R["公务员"].append([pid, name, dept, office, grade])
        for qi, (ql, sat) in enumerate(((88, 95), (97.5, 96), (99, 94.5), (96.5, 97)), start=1):
            R["KPI季报"].append([pid, f"{year}Q{qi}", Pct(dec(ql + (extra_quality if qi == 1 else 0), 1)), 0, Pct(dec(sat, 1)),
                                D("120.00"), D("112.40")])
        for m in range(1, 13):
            R["月度总结"].append([pid, f"{year}-{m:02d}", "按时", int(round(level)) + (1 if m % 4 == 0 else 0)])
        for qi in range(1, 5):
            for who_, prefix, count in (("领导", "L", 2), ("同事", "C", 6), ("服务对象", "S", 5)):
                for k in range(1, count + 1):
                    R["季度测评"].append([pid, f"Q{qi}", f"{prefix}{k}", who_, int(round(level + base[(qi * 7 + k) % len(base)]))])
        for k in range(1, 6):
            de = int(round(level - 4 + base[k])) + extra_de
            R["年度测评"].append([pid, f"A{k}", de, int(round(level + base[k + 5])), int(round(level + base[k + 9])), int(round(level + 2 + base[k + 13]))])
        out.append(R)
    return out


def gen_qingdao(n, seed, sink, arrange=True, preview=None):
    """Generate n civil servants department by department and hand each
    department's rows to sink(table, rows). preview (a dict) collects totals."""
    year = 2009
    rng = random.Random(seed)
    plan = qd_offices(n, rng)
    width = max(4, len(str(n)))
    counters = {}
    seq = 0
    cases = []
    depts = []
    for dept, abbr, office, size in plan:
        if not depts or depts[-1][0] != dept:
            depts.append((dept, abbr, []))
        depts[-1][2].append((office, size))
    for di, (dept, abbr, offices) in enumerate(depts):
        people = []
        for office, size in offices:
            for i in range(size):
                seq += 1
                pid = f"QD{seq:0{width}d}"
                grade = "处级" if i < (2 if size < 18 else 3) else "科级及以下"
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                s = clamp(rng.gauss(0.6, 0.2), 0.05, 1.0)
                if rng.random() < 0.04:
                    s = rng.uniform(-1.0, -0.3)  # the few who had a bad year
                people.append(((pid, name, dept, office, grade), qd_person(rng, year, pid, name, dept, abbr, office, grade, s, counters)))
        if di == 0:
            # the one disciplinary sanction of the slice (veto 受处分)
            R = people[len(people) // 3][1]
            pid = people[len(people) // 3][0][0]
            R["监督信息"].append([pid, dt.date(year, 6, 18), "纪检监察", "党纪政纪处分", "直接责任", f"青纪处〔{year}〕7号", None])
        if di == 0 and arrange:
            arrange_qingdao(year, people, rng)
        if preview is not None:
            for who, R in people:
                preview[who[0]] = (who, qd_score(R))
        for t in ("公务员", "KPI季报", "月度总结", "季度测评", "年度测评", "工作成果"):
            sink(t, [r for _, R in people for r in R[t]])
        cases += [r for _, R in people for r in R["监督信息"]]
    # the supervision cases are few (about one person in seven): numbered in date order over the whole export
    renumber(cases, 5, 1, rng)
    cases.sort(key=lambda r: (plain(r[1]), r[0]))
    sink("监督信息", cases)


def arrange_qingdao(year, people, rng):
    """Put a pair tied on total (but not on KPI) exactly at the 优秀 quota line of the department."""
    quota = len(people) * 20 // 100
    # the pair: the last two 科级 officers of the first office
    office = people[0][0][3]
    idx = [i for i, (who, _) in enumerate(people) if who[3] == office and who[4] == "科级及以下"][-2:]
    others = [qd_score(R) for i, (_, R) in enumerate(people) if i not in idx]
    above = sorted((x[0] for x in others if not x[4] and x[0] >= 90), reverse=True)
    base = [rng.choice([-3, -2, -1, 0, 0, 1, 2, 3]) for _ in range(40)]
    for tenth in range(940, 800, -2):
        level = tenth / 10
        pair = qd_tied_pair(year, people[idx[0]][0], people[idx[1]][0], base, level)
        sa, sb = qd_score(pair[0]), qd_score(pair[1])
        assert sa[0] == sb[0] and sb[1] - sa[1] == 1, (sa, sb)
        t = sa[0]
        if t >= 90 and sum(1 for x in above if x > t) == quota - 1 and t not in above:
            for i, R in zip(idx, pair):
                people[i] = (people[i][0], R)
            return
    print("  note: could not place the Qingdao pair at the quota line", file=sys.stderr)


# ============================================================================
# Scheme-specific checks (beyond what the declarations say)
# ============================================================================


def extra_district(L, units, errors):
    lead = rows_by_unit(L["牵头部门评分"], "名称")
    votes = rows_by_unit(L["领导评价票"], "名称")
    items = [i for i, _ in LEAD_DEPTS]
    for u in units:
        got = {r["项目"] for r in lead.get(u, [])}
        for i in items:
            if i not in got:
                errors.append(f"牵头部门评分: {u} has no score for {i} (the mean would be of nothing)")
        for subject in ("市领导", "部门负责人"):
            n = sum(1 for r in votes.get(u, []) if r["主体"] == subject)
            if not 8 <= n <= 12:
                errors.append(f"领导评价票: {u} has {n} {subject} ballots, want 8–12 so that the trimmed mean applies")
    for place, r in L["督查记录"]:
        if r["整改日期"] is None and r["复查合格"]:
            errors.append(f"{place}: passed re-inspection without a rectification date")
    if len({r["名称"] for _, r in L["否决事件"]}) > 1:
        errors.append("否决事件: more than one unit has a veto event")


def extra_department(L, units, errors):
    kind = {r["名称"]: r["类型"] for _, r in L["部门"]}
    common = rows_by_unit(L["共性考核"], "名称")
    for u in units:
        want = set(COMMON_ALL + COMMON_BY_KIND[kind[u]])
        got = {r["细则"] for r in common.get(u, [])}
        if got != want:
            errors.append(f"共性考核: {u} ({kind[u]}) has {sorted(got ^ want)} wrong")
    n = {k: sum(1 for v in kind.values() if v == k) for k, _ in DEPT_KINDS}
    if len(units) != 97 or n != {"党群口机关": 24, "政府口机关": 52, "驻泰金融机构": 12, "驻泰公共服务企业": 9}:
        errors.append(f"部门: {len(units)} units {n}, want 97 = 24 + 52 + 12 + 9")
    for place, r in L["季度评估"]:
        if not (r["应完成分值"] > 0 and r["完成分值"] + r["基本完成分值"] <= r["应完成分值"]):
            errors.append(f"{place}: completed points do not fit the scheduled points")
    for t in ("目标制定评审", "领导评价票"):
        by = rows_by_unit(L[t], "名称")
        for u in units:
            if len(by.get(u, [])) < 3:
                errors.append(f"{t}: {u} has fewer than 3 scores (nothing left after trimming)")


def extra_yuhua(L, units, errors):
    post = {r["姓名"]: r["岗位"] for _, r in L["工作人员"]}
    for table, p in (("值班记录", "值班"), ("交办件", "值班"), ("信息报送", "信息"), ("信息采用", "信息"),
                     ("督查事项", "督查"), ("提案办理", "督查"), ("公文差错", "文秘"), ("会务差错", "文秘")):
        for place, r in L[table]:
            if post[r["姓名"]] != p:
                errors.append(f"{place}: {r['姓名']} is not on the {p} post")
    votes = rows_by_unit(L["年终测评"], "姓名")
    for u in units:
        for who in ("主任办公会", "全体人员"):
            if not any(r["评价主体"] == who for r in votes.get(u, [])):
                errors.append(f"年终测评: no {who} score for {u}")
    for place, r in L["信息报送"]:
        if (r["编发日期"] is None) != (r["编发时段"] is None):
            errors.append(f"{place}: 编发日期 and 编发时段 go together")


def extra_qingdao(L, units, errors):
    ev = {}
    for _, r in L["季度测评"]:
        ev.setdefault((r["工号"], r["季度"]), set()).add(r["评价主体"])
    for u in units:
        for qi in range(4):
            if ev.get((u, qi)) != {"领导", "同事", "服务对象"}:
                errors.append(f"季度测评: {u} Q{qi + 1} lacks an evaluator group")
    annual = {r["工号"] for _, r in L["年度测评"]}
    for u in units:
        if u not in annual:
            errors.append(f"年度测评: no panel scores for {u}")
    for place, r in L["KPI季报"]:
        if (r["预算"] is None) != (r["实际支出"] is None):
            errors.append(f"{place}: 预算 and 实际支出 go together")
    for place, r in L["月度总结"]:
        if (r["处长评分"] is None) != (r["提交状态"] == "未交"):
            errors.append(f"{place}: 处长评分 is empty exactly when the summary was not handed in")


# ============================================================================
# Main
# ============================================================================


def clean(folder, exts):
    os.makedirs(folder, exist_ok=True)
    for f in sorted(os.listdir(folder)):
        if f.endswith(exts):
            os.remove(os.path.join(folder, f))


def table_rows(scheme, T):
    out = []
    for name, table in scheme.tables.items():
        rows = T[name]
        for r in rows:
            assert len(r) == len(table.columns), (name, r)
        out.append((name, [c.name for c in table.columns], rows))
    return out


def grade_counts(out):
    order = ["优秀", "良好", "称职", "合格", "达标", "基本称职", "诫勉", "不称职", "不合格"]
    c = {}
    for r in out.values():
        c[r["grade"]] = c.get(r["grade"], 0) + 1
    return ", ".join(f"{g} {c[g]}" for g in order if g in c)


def ties_at_line(out, per_group):
    lines = []
    groups = {}
    for u, r in out.items():
        groups.setdefault(r["group"] if per_group else "", []).append(u)
    for g, us in sorted(groups.items()):
        by_total = {}
        for u in us:
            by_total.setdefault(out[u]["total"], []).append(u)
        for t, tied in sorted(by_total.items(), reverse=True):
            grades = {out[u]["grade"] for u in tied}
            if len(tied) > 1 and ("优秀" in grades):
                lines.append(f"{g + ': ' if g else ''}{' = '.join(sorted(tied))} at {t} ({', '.join(out[u]['grade'] for u in sorted(tied))})")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", action="append", choices=["district", "department", "yuhua", "qingdao"])
    ap.add_argument("--qingdao-n", type=int, default=150, help="number of civil servants (default 150)")
    ap.add_argument("--no-check", action="store_true", help="do not read the files back and check them")
    ap.add_argument("--no-preview", action="store_true", help="do not print the preview of totals and grades")
    ap.add_argument("--out", default=HERE, help="where the folders go (default: examples/)")
    ap.add_argument("--preview-json", help="also write the preview's totals and grades to this JSON file (for reviewing kaohe's results)")
    args = ap.parse_args()
    only = set(args.only or ["district", "department", "yuhua", "qingdao"])
    summary = []
    previews = []

    def check(scheme, folder, extra):
        if not args.no_check:
            summary.append((os.path.basename(folder), check_folder(scheme, folder, extra)))

    if "district" in only:
        scheme = Scheme(os.path.join(RULES, "taizhou_district.kh"))
        folder = os.path.join(args.out, "taizhou_district")
        clean(folder, (".csv", ".xlsx"))
        T = gen_district(2013, SEED + 1)
        for name, header, rows in table_rows(scheme, T):
            write_csv(os.path.join(folder, name + ".csv"), header, rows, bom=True, crlf=True)
        check(scheme, folder, extra_district)
        if not args.no_preview:
            previews.append(("taizhou_district", score_district(T, 2013), True))
        scheme = Scheme(os.path.join(RULES, "taizhou_district_2014.kh"))
        folder = os.path.join(args.out, "taizhou_district_2014")
        clean(folder, (".csv", ".xlsx"))
        T = gen_district(2014, SEED + 2)
        write_xlsx(os.path.join(folder, "taizhou_district_2014.xlsx"), table_rows(scheme, T))
        check(scheme, folder, extra_district)
        if not args.no_preview:
            previews.append(("taizhou_district_2014", score_district(T, 2014), True))

    if "department" in only:
        scheme = Scheme(os.path.join(RULES, "taizhou_department.kh"))
        folder = os.path.join(args.out, "taizhou_department")
        clean(folder, (".csv", ".xlsx"))
        T = gen_department(2013, SEED + 3)
        for name, header, rows in table_rows(scheme, T):
            if name == "督查记录":  # exported by Excel on Chinese Windows: GB18030 (GBK), CRLF
                write_csv(os.path.join(folder, name + ".csv"), header, rows, encoding="gb18030", crlf=True)
            else:
                write_csv(os.path.join(folder, name + ".csv"), header, rows)
        check(scheme, folder, extra_department)
        if not args.no_preview:
            previews.append(("taizhou_department", score_department(T, 2013), True))

    if "yuhua" in only:
        scheme = Scheme(os.path.join(RULES, "yuhua_office.kh"))
        folder = os.path.join(args.out, "yuhua_office")
        clean(folder, (".csv", ".xlsx"))
        T, out = arrange_yuhua(SEED + 5)
        write_xlsx(os.path.join(folder, "yuhua_office.xlsx"), table_rows(scheme, T))
        check(scheme, folder, extra_yuhua)
        if not args.no_preview:
            previews.append(("yuhua_office", out, False))

    if "qingdao" in only:
        scheme = Scheme(os.path.join(RULES, "qingdao_individual.kh"))
        folder = os.path.join(args.out, "qingdao_individual")
        clean(folder, (".csv", ".xlsx"))
        files = {}
        writers = {}
        for name, table in scheme.tables.items():
            f = open(os.path.join(folder, name + ".csv"), "w", encoding="utf-8", newline="")
            files[name] = f
            writers[name] = csv.writer(f, lineterminator="\n")
            writers[name].writerow([c.name for c in table.columns])
        ncols = {name: len(t.columns) for name, t in scheme.tables.items()}

        def sink(table, rows):
            w = writers[table]
            for r in rows:
                assert len(r) == ncols[table], (table, r)
                w.writerow([cell_text(v) for v in r])

        pv = None if args.no_preview else {}
        gen_qingdao(args.qingdao_n, SEED + 7, sink, arrange=args.qingdao_n <= 1000, preview=pv)
        for f in files.values():
            f.close()
        check(scheme, folder, extra_qingdao)
        if pv is not None:
            out = {}
            for pid, (who, (t, kpi, ev, an, capped)) in pv.items():
                out[pid] = dict(total=t, keys=(t, kpi, ev, an), group=who[2], cap="称职" if capped else None)
            bands = [("优秀", D(90)), ("称职", D(70)), ("基本称职", D(60)), ("不称职", None)]
            previews.append(("qingdao_individual", assign_grades(out, bands, lambda n: n * 20 // 100, True, "break"), True))

    for folder, info in summary:
        print(f"{folder}/")
        for table, rows, fname, size, enc in info:
            if rows is None:
                print(f"    {fname:<34} {size:>9,} bytes  {enc}")
            else:
                print(f"    {table:<12} {rows:>6} rows  {fname:<30}" + (f" {size:>9,} bytes  {enc}" if size is not None else ""))
    if previews and args.preview_json:
        import json

        doc = {name: {u: {"total": str(r["total"]), "grade": r["grade"]} for u, r in sorted(out.items())} for name, out, _ in previews}
        with open(args.preview_json, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1, sort_keys=True)
    if previews:
        print("\npreview (this script's own reading of the schemes; the reference is `kaohe eval`):")
        for name, out, per_group in previews:
            totals = sorted(r["total"] for r in out.values())
            print(f"  {name}: {len(out)} units, totals {totals[0]}–{totals[-1]}; {grade_counts(out)}")
            for line in ties_at_line(out, per_group):
                print(f"      tie: {line}")
    if not args.no_check:
        print("\nall folders checked against their schemes: OK")


if __name__ == "__main__":
    main()
