#!/usr/bin/env python3
"""Rebuild the real development corpora from fetched copies of their sources.

The text of these corpora has no license to redistribute, so the repository keeps only labels
keyed by the SHA-1 of each message (corpora/real/labels/*.tsv, `sha1<TAB>labels`). This script
reads the sources you fetched, finds the labeled messages by their key and writes the
`labels<TAB>text` corpora the evaluate example reads, split 70/30 into tune and check parts,
plus the unlabeled rest of each source (for mining) and the labeled JDDC sessions as threads.

    python3 corpora/real/build.py --sources DIR --out corpora/real/text

DIR holds the files named in corpora/real/README.md (any of them may be missing; the corpora
built from a missing file are skipped with a message). Held-out JDDC sessions (ids starting
with 0-3) are dropped on reading: nothing downstream ever sees them.
"""

import argparse
import csv
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = os.path.join(HERE, "labels")

# name in --sources DIR -> how to read it
SOURCES = {
    "jddc": "chat_0.1per.txt",
    "shopping": "online_shopping_10_cats.csv",
    "waimai": "waimai_10k.csv",
    "danawa_kimchi": "danawa_kimchi_result.csv",
    "danawa2": "danawa2.csv",
    "womens": "womens_clothing.csv",
}
HELD_OUT_SESSION_PREFIXES = tuple("0123")
# Hotels are not shops: their reviews are left out of the zh review corpus.
SKIPPED_SHOPPING_CATS = {"酒店"}


def clean(text):
    """One line of text: no tabs or newlines, no BOM, no surrounding blanks."""
    text = text.replace("\ufeff", "")
    for ch in "\t\r\n":
        text = text.replace(ch, " ")
    return " ".join(text.split(" ")).strip()


def sha1(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def jddc_key(session, text):
    """Chat turns are keyed by session and text: a fragment's label may depend on its thread."""
    return sha1(session + "\t" + text)


def is_check(key):
    """The 30% check split, decided by the key alone so it never moves."""
    return int(key[:8], 16) % 10 >= 7


def read_jddc(path):
    """Dev sessions in file order: {session: [(role, text), ...]}; held-out ids never kept."""
    sessions = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 7 or cols[0].startswith(HELD_OUT_SESSION_PREFIXES):
                continue
            role = "buyer" if cols[2] == "0" else "seller"
            text = clean(cols[6])
            if text:
                sessions.setdefault(cols[0], []).append((role, text))
    return sessions


def read_csv_column(path, column, keep=lambda row: True):
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if keep(row):
                text = clean(row.get(column) or "")
                if text:
                    yield text


def review_sources(src):
    """Each review corpus: its name and the texts of its sources, in file order."""
    def path(name):
        return os.path.join(src, SOURCES[name])

    yield "zh_reviews", [
        ("shopping", lambda: read_csv_column(
            path("shopping"), "review", lambda r: r.get("cat") not in SKIPPED_SHOPPING_CATS)),
        ("waimai", lambda: read_csv_column(path("waimai"), "review")),
    ]
    yield "ko_reviews", [
        ("danawa_kimchi", lambda: read_csv_column(path("danawa_kimchi"), "text")),
        ("danawa2", lambda: read_csv_column(path("danawa2"), "review")),
    ]
    yield "en_reviews", [("womens", lambda: read_csv_column(path("womens"), "ReviewText"))]


def load_labels(name):
    labels = {}
    path = os.path.join(LABELS, name + ".tsv")
    if not os.path.exists(path):
        return labels
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            key, _, lab = line.partition("\t")
            if len(key) != 40 or not lab:
                sys.exit(f"{path}:{n}: expected 'sha1<TAB>labels'")
            labels[key] = lab
    return labels


def write_corpus(out, name, rows, note):
    """rows: (key, labels, text). Writes NAME.tsv, NAME.tune.tsv and NAME.check.tsv."""
    parts = {"": [], ".tune": [], ".check": []}
    for key, lab, text in rows:
        parts[""].append((lab, text))
        parts[".check" if is_check(key) else ".tune"].append((lab, text))
    for suffix, part in parts.items():
        with open(os.path.join(out, name + suffix + ".tsv"), "w", encoding="utf-8") as f:
            f.write(f"# {name}{suffix}: {len(part)} labeled messages rebuilt by corpora/real/build.py ({note})\n")
            for lab, text in part:
                f.write(f"{lab}\t{text}\n")
    print(f"{name}: {len(parts[''])} labeled ({len(parts['.tune'])} tune, {len(parts['.check'])} check)")


def build_jddc(src, out):
    path = os.path.join(src, SOURCES["jddc"])
    if not os.path.exists(path):
        print(f"jddc: {path} is missing, skipped")
        return
    labels = load_labels("jddc")
    sessions = read_jddc(path)
    rows, unlabeled, threads = [], [], []
    for session, turns in sessions.items():
        skey = sha1(session)
        labeled_here = False
        for role, text in turns:
            if role != "buyer":
                continue
            key = jddc_key(session, text)
            if key in labels:
                labeled_here = True
                # the session decides the split, so a thread never straddles tune and check
                rows.append((skey, labels[key], text))
            else:
                unlabeled.append(text)
        if labeled_here:
            threads.append((skey, session, turns))
    write_corpus(out, "jddc", rows, "JDDC dev sessions, buyer turns")
    for suffix, pick in (("", lambda k: True), (".tune", lambda k: not is_check(k)), (".check", is_check)):
        with open(os.path.join(out, f"jddc_threads{suffix}.jsonl"), "w", encoding="utf-8") as f:
            for skey, session, turns in threads:
                if not pick(skey):
                    continue
                for role, text in turns:
                    turn = {"conversation": skey[:12], "role": role, "text": text}
                    lab = labels.get(jddc_key(session, text)) if role == "buyer" else None
                    if lab is not None:
                        turn["labels"] = [] if lab == "none" else lab.split(",")
                    f.write(json.dumps(turn, ensure_ascii=False) + "\n")
    write_lines(out, "jddc_unlabeled", unlabeled)


def build_reviews(src, out):
    for name, sources in review_sources(src):
        labels = load_labels(name)
        rows, unlabeled, seen = [], [], set()
        missing = [s for s, _ in sources if not os.path.exists(os.path.join(src, SOURCES[s]))]
        if missing:
            print(f"{name}: {', '.join(SOURCES[m] for m in missing)} missing, skipped")
            continue
        for _, texts in sources:
            for text in texts():
                key = sha1(text)
                if key in seen:
                    continue
                seen.add(key)
                if key in labels:
                    rows.append((key, labels[key], text))
                else:
                    unlabeled.append(text)
        write_corpus(out, name, rows, "reviews")
        write_lines(out, name + "_unlabeled", unlabeled)


def write_lines(out, name, texts):
    with open(os.path.join(out, name + ".txt"), "w", encoding="utf-8") as f:
        for text in texts:
            f.write(text + "\n")
    print(f"{name}: {len(texts)} unlabeled messages")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", required=True, help="folder holding the fetched source files")
    ap.add_argument("--out", default=os.path.join(HERE, "text"), help="where to write (never committed)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    build_jddc(args.sources, args.out)
    build_reviews(args.sources, args.out)


if __name__ == "__main__":
    main()
