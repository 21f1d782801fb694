#!/bin/sh
# Builds the seed corpora of the fuzz targets from the crate's test data (run from fuzz/).
#   suggest:   one labeled message of tests/corpus/*.tsv per file
#   load_pack: each malformed pack of tests/data/bad_packs/ and the packs of tests/engine.rs,
#              behind a flags byte of 0x00 (alone), 0x01 (over the bundled packs), 0x04 (tiny limits)
set -eu
mkdir -p corpus/suggest corpus/load_pack
for f in ../tests/corpus/*.tsv; do
    lang=$(basename "$f" .tsv)
    cut -f2- "$f" | while IFS= read -r line; do
        printf '%s' "$line" > "corpus/suggest/$lang-$(printf '%s' "$line" | md5sum | cut -c1-12)"
    done
done
for f in ../tests/data/bad_packs/*.toml; do
    for flags in 0 1 4; do
        { printf "\\00$flags"; cat "$f"; } > "corpus/load_pack/$flags-$(basename "$f")"
    done
done
python3 - <<'PY'
import re
src = open('../tests/engine.rs').read()
for name in ['ZH', 'EN']:
    m = re.search(r'const %s: &str = r#"(.*?)"#;' % name, src, re.S)
    for flags in (0, 1, 4):
        open('corpus/load_pack/%d-engine-%s.toml' % (flags, name), 'wb').write(bytes([flags]) + m.group(1).encode())
PY
