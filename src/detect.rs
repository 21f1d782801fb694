//! Run stage 2, detect: which language a message is read in. Each language's packs declare the
//! scripts it is written in (`scripts = ["kana", "han"]`); the fold counts the message's units
//! of each script, and the language with the most units of its scripts wins. So a shop's `ja`
//! pack (kana and Han) takes Japanese messages from the bundled `zh` (Han only), and a `zh-tw`
//! pack (Han and `hant`, the traditional-only characters) takes messages with traditional
//! characters in them.

use crate::normalize::ScriptCounts;

/// One script's bit in a language's script set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// Han characters (simplified or traditional).
    Han,
    /// Han characters that only traditional Chinese writes (they fold to another character).
    Hant,
    /// Hangul syllables and jamo.
    Hangul,
    /// Hiragana and katakana.
    Kana,
    /// Words of letters outside Han, Hangul and kana (Latin, Cyrillic, Greek...).
    Latin,
}

impl Script {
    /// The script of a pack's `scripts` entry (checked when the pack was read).
    pub(crate) fn parse(name: &str) -> Option<Script> {
        Some(match name {
            "han" => Script::Han,
            "hant" => Script::Hant,
            "hangul" => Script::Hangul,
            "kana" => Script::Kana,
            "latin" => Script::Latin,
            _ => return None,
        })
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }

    /// The scripts of a language tag that declares none: zh Han (zh-tw and zh-hant with the
    /// traditional count), ko Hangul, ja kana and Han, anything else Latin.
    pub(crate) fn defaults(tag: &str) -> Vec<Script> {
        let base = tag.split('-').next().unwrap_or(tag);
        match base {
            "zh" if tag.ends_with("-tw") || tag.ends_with("-hk") || tag.ends_with("-hant") => {
                vec![Script::Han, Script::Hant]
            }
            "zh" | "yue" => vec![Script::Han],
            "ko" => vec![Script::Hangul],
            "ja" => vec![Script::Kana, Script::Han],
            _ => vec![Script::Latin],
        }
    }
}

/// Which languages each script counts for.
#[derive(Debug, Default)]
pub(crate) struct Detector {
    /// Per language (by index), the bits of its scripts.
    scripts: Vec<u8>,
}

impl Detector {
    /// A detector over languages whose scripts are `scripts`, in load order.
    pub(crate) fn new(scripts: impl IntoIterator<Item = Vec<Script>>) -> Detector {
        Detector {
            scripts: scripts
                .into_iter()
                .map(|s| s.iter().fold(0, |bits, s| bits | s.bit()))
                .collect(),
        }
    }

    /// The language a message with these script counts is read in: the one whose scripts
    /// count most units; ties go to the language loaded first (a CJK shop's message with an
    /// English word in it is still a CJK message). `None` when no language's scripts occur.
    pub(crate) fn detect(&self, counts: &ScriptCounts) -> Option<usize> {
        let units = [
            (Script::Han, counts.han),
            (Script::Hant, counts.hant),
            (Script::Hangul, counts.hangul),
            (Script::Kana, counts.kana),
            (Script::Latin, counts.latin_words),
        ];
        let mut best: Option<(u32, usize)> = None;
        for (language, &bits) in self.scripts.iter().enumerate() {
            let score: u32 = units
                .iter()
                .filter(|(s, _)| bits & s.bit() != 0)
                .map(|&(_, n)| n)
                .sum();
            if score > 0 && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, language));
            }
        }
        best.map(|(_, language)| language)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(han: u32, hant: u32, hangul: u32, kana: u32, latin_words: u32) -> ScriptCounts {
        ScriptCounts {
            han,
            hant,
            hangul,
            kana,
            latin_words,
        }
    }

    #[test]
    fn the_most_units_win_and_ties_go_to_the_first_loaded() {
        let d = Detector::new([
            Script::defaults("zh"),
            Script::defaults("ko"),
            Script::defaults("en"),
        ]);
        assert_eq!(d.detect(&counts(3, 0, 0, 0, 1)), Some(0));
        assert_eq!(d.detect(&counts(1, 0, 1, 0, 0)), Some(0));
        assert_eq!(d.detect(&counts(0, 0, 4, 0, 5)), Some(2));
        assert_eq!(d.detect(&counts(0, 0, 0, 0, 0)), None);
        // Kana alone is no bundled language's.
        assert_eq!(d.detect(&counts(0, 0, 0, 3, 0)), None);
    }

    #[test]
    fn a_shop_language_takes_its_own_script() {
        let d = Detector::new([
            Script::defaults("zh"),
            Script::defaults("en"),
            Script::defaults("ja"),
            Script::defaults("zh-tw"),
        ]);
        assert_eq!(
            d.detect(&counts(2, 0, 0, 3, 0)),
            Some(2),
            "kana and Han: Japanese"
        );
        assert_eq!(
            d.detect(&counts(4, 0, 0, 0, 0)),
            Some(0),
            "Han alone: the first loaded"
        );
        assert_eq!(
            d.detect(&counts(4, 1, 0, 0, 0)),
            Some(3),
            "traditional characters"
        );
    }
}
