#!/usr/bin/env python3
"""Validate the hand-made gold QA sets (standard library only).

Checks for eval/gold.jsonl (seed articles), eval/gold_bbc.jsonl (BBC corpus) and
eval/gold_unseen.jsonl (held-out set over both corpora: a source id containing "/"
is a BBC path, anything else a seed file name):
  * required fields and their types, allowed "type" values, unique ids
  * history only for followup; empty answer/key_facts/sources/passages for unanswerable
  * every passage is a verbatim substring of at least one of its cited source files
    (files read as UTF-8, falling back to cp1252); every source exists. Without the BBC
    corpus on the machine (a bare clone), passages citing BBC articles are not checked
    against them, and the script says so; every other check still runs
  * every key fact has at least one surface form found (case-insensitive, after
    normalising curly quotes and en/em dashes) in the concatenated passages
  * per-type minimum counts
  * optional boolean field "conflict" on any item; in the unseen set every conflict
    item carries "conflict": true and cites seed articles only, and no question repeats
    one from the other two sets
Exit status 0 when everything passes, 1 otherwise.
"""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEED_DIR = os.path.join(ROOT, "seeds")
BBC_DIR = os.environ.get("RAG_BBC_DIR", os.path.join(os.path.dirname(ROOT), "shared", "data", "bbc"))

TYPES = {"single", "multi", "conflict", "followup", "unanswerable"}
OPTIONAL_FIELDS = {"conflict": bool}
FIELDS = {
    "id": str,
    "question": str,
    "type": str,
    "history": list,
    "answer": str,
    "key_facts": list,
    "sources": list,
    "passages": list,
}
MIXED = None  # source dir of a set drawing on both corpora: decided per source
SETS = [
    # (file, id prefix, source dir, minimum counts per type, minimum total)
    ("gold.jsonl", "seed-", SEED_DIR,
     {"unanswerable": 14, "conflict": 6, "multi": 6, "followup": 6}, 64),
    ("gold_bbc.jsonl", "bbc-", BBC_DIR,
     {"single": 36, "unanswerable": 6}, 42),
    ("gold_unseen.jsonl", "unseen-", MIXED,
     {"single": 14, "unanswerable": 10, "followup": 5, "multi": 4, "conflict": 3}, 44),
]
BBC_ALLOWED_TYPES = {"single", "multi", "followup", "unanswerable"}
BBC_CATEGORIES = {"business", "entertainment", "politics", "sport", "tech"}

_TR = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                     "\u2013": "-", "\u2014": "-"})


def norm(s):
    return s.translate(_TR).lower()


_cache = {}


def source_dir(base, doc):
    """Directory holding doc; for the mixed set a name containing "/" is a BBC path."""
    if base is MIXED:
        return BBC_DIR if "/" in doc else SEED_DIR
    return base


def read_doc(base, doc):
    base = source_dir(base, doc)
    path = os.path.join(base, doc)
    if path not in _cache:
        with open(path, "rb") as f:
            raw = f.read()
        try:
            _cache[path] = raw.decode("utf-8")
        except UnicodeDecodeError:
            _cache[path] = raw.decode("cp1252")
    return _cache[path]


def check_set(fname, prefix, base, minimums, min_total, errors, all_ids, questions):
    path = os.path.join(HERE, fname)
    rows = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append((ln, json.loads(line)))
            except json.JSONDecodeError as e:
                errors.append(f"{fname}:{ln}: invalid JSON: {e}")

    counts = collections.Counter()
    sources_seen = set()
    for ln, r in rows:
        where = f"{fname}:{ln} ({r.get('id', '?')})"
        if not isinstance(r, dict):
            errors.append(f"{where}: not an object")
            continue
        bad = False
        for k, t in FIELDS.items():
            if k not in r:
                errors.append(f"{where}: missing field {k!r}")
                bad = True
            elif not isinstance(r[k], t):
                errors.append(f"{where}: field {k!r} should be {t.__name__}")
                bad = True
        for k, t in OPTIONAL_FIELDS.items():
            if k in r and not isinstance(r[k], t):
                errors.append(f"{where}: field {k!r} should be {t.__name__}")
                bad = True
        extra = set(r) - set(FIELDS) - set(OPTIONAL_FIELDS)
        if extra:
            errors.append(f"{where}: unexpected fields {sorted(extra)}")
        if bad:
            continue

        rid, typ = r["id"], r["type"]
        if not rid.startswith(prefix):
            errors.append(f"{where}: id should start with {prefix!r}")
        if rid in all_ids:
            errors.append(f"{where}: duplicate id {rid}")
        all_ids.add(rid)
        if typ not in TYPES:
            errors.append(f"{where}: bad type {typ!r}")
            continue
        if prefix == "bbc-" and typ not in BBC_ALLOWED_TYPES:
            errors.append(f"{where}: BBC set only allows {sorted(BBC_ALLOWED_TYPES)}")
        counts[typ] += 1
        if not r["question"].strip():
            errors.append(f"{where}: empty question")
        qkey = " ".join(norm(r["question"]).split())
        if base is MIXED and qkey in questions:
            errors.append(f"{where}: question repeats {questions[qkey]}")
        questions.setdefault(qkey, rid)
        if r.get("conflict") and typ == "unanswerable":
            errors.append(f"{where}: an unanswerable item cannot be a conflict")
        if base is MIXED and typ == "conflict" and r.get("conflict") is not True:
            errors.append(f"{where}: conflict items need \"conflict\": true")

        for k in ("history", "sources", "passages"):
            if not all(isinstance(x, str) and x for x in r[k]):
                errors.append(f"{where}: {k} must be a list of non-empty strings")
        kf_ok = True
        for kf in r["key_facts"]:
            if not (isinstance(kf, list) and kf and all(isinstance(x, str) and x.strip() for x in kf)):
                errors.append(f"{where}: each key fact must be a non-empty list of strings")
                kf_ok = False

        if typ == "followup":
            if not r["history"]:
                errors.append(f"{where}: followup needs a non-empty history")
        elif r["history"]:
            errors.append(f"{where}: history must be [] for type {typ}")

        if typ == "unanswerable":
            if r["answer"] or r["key_facts"] or r["sources"] or r["passages"]:
                errors.append(f"{where}: unanswerable must have empty answer/key_facts/sources/passages")
            continue

        if not r["answer"].strip():
            errors.append(f"{where}: empty answer")
        if not r["key_facts"]:
            errors.append(f"{where}: no key facts")
        if not r["sources"] or not r["passages"]:
            errors.append(f"{where}: needs sources and passages")
            continue
        if typ == "single" and len(r["sources"]) != 1:
            errors.append(f"{where}: single should cite exactly one source")
        if typ == "multi" and len(r["sources"]) < 2 and len(r["key_facts"]) < 2:
            # a multi question draws on several articles, or asks one article several things
            errors.append(f"{where}: multi should cite two sources or have two key facts")

        if base is MIXED and (typ == "conflict" or r.get("conflict")) and any("/" in d for d in r["sources"]):
            errors.append(f"{where}: conflicts are between seed articles only")

        texts = {}
        unread = False  # a BBC source, when the BBC corpus is not on this machine
        for doc in r["sources"]:
            is_bbc = prefix == "bbc-" or (base is MIXED and "/" in doc)
            if is_bbc and doc.split("/")[0] not in BBC_CATEGORIES:
                errors.append(f"{where}: bad BBC document id {doc!r}")
            if is_bbc and not os.path.isdir(BBC_DIR):
                unread = True
                continue
            try:
                texts[doc] = read_doc(base, doc)
            except OSError as e:
                errors.append(f"{where}: cannot read source {doc!r}: {e}")
        sources_seen.update(r["sources"])
        if not unread:  # else its passages cannot be checked against the articles here (see main)
            used = set()
            for p in r["passages"]:
                hits = [d for d, t in texts.items() if p in t]
                if not hits:
                    errors.append(f"{where}: passage not verbatim in cited sources: {p[:80]!r}")
                used.update(hits)
            unused = set(texts) - used
            if unused and texts:
                errors.append(f"{where}: sources without a supporting passage: {sorted(unused)}")

        if kf_ok:
            joined = norm(" ".join(r["passages"]))
            for kf in r["key_facts"]:
                if not any(norm(form) in joined for form in kf):
                    errors.append(f"{where}: key fact {kf} not found in passages")

    total = sum(counts.values())
    for typ, n in minimums.items():
        if counts[typ] < n:
            errors.append(f"{fname}: only {counts[typ]} {typ} questions (need >= {n})")
    if total < min_total:
        errors.append(f"{fname}: only {total} questions (need >= {min_total})")
    if prefix == "seed-" or base is MIXED:
        seeds = set(os.listdir(SEED_DIR))
        missing = {s for s in seeds if s.endswith(".txt")} - sources_seen
        if missing:
            errors.append(f"{fname}: seed articles never cited: {sorted(missing)}")
    if prefix != "seed-":
        cats = {s.split("/")[0] for s in sources_seen if base is not MIXED or "/" in s}
        if cats != BBC_CATEGORIES:
            errors.append(f"{fname}: categories not covered: {sorted(BBC_CATEGORIES - cats)}")
    return counts, total


def main():
    if not os.path.isdir(BBC_DIR):
        print(f"note: no BBC corpus at {BBC_DIR} (set RAG_BBC_DIR): passages citing BBC articles are not "
              "checked against them; every other check runs")
    errors = []
    all_ids = set()
    questions = {}
    for fname, prefix, base, mins, min_total in SETS:
        counts, total = check_set(fname, prefix, base, mins, min_total, errors, all_ids, questions)
        detail = ", ".join(f"{t}={counts[t]}" for t in sorted(TYPES) if counts[t])
        print(f"{fname}: {total} questions ({detail})")
    if errors:
        print(f"\nFAILED with {len(errors)} problem(s):")
        for e in errors:
            print("  - " + e)
        return 1
    print("OK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
