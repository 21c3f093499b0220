//! Does a record's body belong under its title? The title's words — Han bigrams and
//! Latin words — are looked up in the body, each weighed by how rare it is in the
//! book: a word that many records use (骨质疏松 in an osteoporosis book, "bone" in a
//! bone meeting, "the" anywhere) says nothing, so what counts as common is read from
//! the book itself, not from a list made for one conference.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::model::{Record, is_han};

/// A body shorter than this (Han characters, or Latin words) is too short to judge.
const MIN_HAN: usize = 150;
const MIN_WORDS: usize = 80;

/// A word in more bodies than this share of the book's is common, not evidence.
const COMMON_SHARE: f64 = 0.2;

/// How many of the book's bodies use each word.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    bodies: usize,
    uses: HashMap<String, usize>,
}

impl Corpus {
    pub fn new<'a>(records: impl IntoIterator<Item = &'a Record>) -> Corpus {
        let mut corpus = Corpus::default();
        for record in records.into_iter().filter(|r| !r.paragraphs.is_empty()) {
            corpus.bodies += 1;
            for word in words(&record.paragraphs.join("\n")) {
                match corpus.uses.get_mut(word.as_ref()) {
                    Some(uses) => *uses += 1,
                    None => drop(corpus.uses.insert(word.into_owned(), 1)),
                }
            }
        }
        corpus
    }

    /// In more than a fifth of the bodies, and in more than two: common. (With a
    /// handful of records nothing is common; every shared word is evidence.)
    fn is_common(&self, word: &str) -> bool {
        let uses = self.uses.get(word).copied().unwrap_or(0);
        uses > 2 && uses as f64 > COMMON_SHARE * self.bodies as f64
    }

    /// How telling a word is: rarer words weigh more.
    fn weight(&self, word: &str) -> f64 {
        let uses = self.uses.get(word).copied().unwrap_or(0) as f64;
        ((self.bodies as f64 + 1.0) / (uses + 1.0)).ln().max(0.1)
    }

    /// The weighted share of the title's telling words that the body uses (0 to 1).
    /// `None` when it cannot tell: a body too short, or a title made only of common
    /// words.
    pub fn title_body_overlap(&self, record: &Record) -> Option<f64> {
        let body: String = record.paragraphs.join("\n");
        let han = body.chars().filter(|c| is_han(*c)).count();
        let latin = body
            .split_whitespace()
            .filter(|w| !w.chars().any(is_han))
            .count();
        // Only the title's words in a script the body is long enough in: a Chinese
        // title over an English body cannot be judged by its words.
        let judged = |w: &str| match w.chars().any(is_han) {
            true => han >= MIN_HAN,
            false => latin >= MIN_WORDS,
        };
        let mut telling: Vec<Cow<str>> = words(&record.title)
            .into_iter()
            .filter(|w| judged(w) && !self.is_common(w))
            .collect();
        // In one order, so that the sums below are the same every run.
        telling.sort();
        if telling.is_empty() {
            return None;
        }
        let in_body = words(&body);
        let total: f64 = telling.iter().map(|w| self.weight(w)).sum();
        let shared: f64 = telling
            .iter()
            .filter(|w| in_body.contains(*w))
            .map(|w| self.weight(w))
            .sum();
        Some(shared / total)
    }
}

/// The words of a text: its Han bigrams, and its Latin words in lower case — words of
/// four or more letters, and acronyms (BMD, TBS): short lower-case words ("men",
/// "two") are too weak to tell one abstract from another.
/// Each is a slice of `text` where it can be (a bigram, a word in lower case already):
/// a book's bodies hold millions of bigrams, and a string made for each made this
/// the slowest of `check`'s checks.
fn words(text: &str) -> HashSet<Cow<'_, str>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let bigrams = chars
        .windows(2)
        .filter(|w| is_han(w[0].1) && is_han(w[1].1))
        .map(|w| Cow::Borrowed(&text[w[0].0..w[1].0 + w[1].1.len_utf8()]));
    let latin = text
        .split(|c: char| !c.is_alphanumeric() || is_han(c))
        .filter(|w| w.chars().any(|c| c.is_alphabetic()))
        .filter(|w| {
            let acronym = w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit());
            w.chars().count() >= 4 || (acronym && w.chars().count() >= 2)
        })
        .map(|w| match w.chars().all(|c| c.to_lowercase().eq([c])) {
            true => Cow::Borrowed(w),
            false => Cow::Owned(w.to_lowercase()),
        });
    bigrams.chain(latin).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Author;

    fn record(title: &str, body: &str) -> Record {
        Record {
            authors: Author::speakers(["A".into()], 0),
            paragraphs: vec![body.into()],
            ..Record::new("X-1", "x", title)
        }
    }

    /// A book of `n` records about bone, each body also about its own topic.
    fn book(n: usize) -> Vec<Record> {
        (0..n)
            .map(|i| {
                let topic = format!("topic{i}");
                let body = format!("bone density {topic} {}", "measured in adults ".repeat(30));
                record(&format!("Bone density and {topic}"), &body)
            })
            .collect()
    }

    #[test]
    fn common_words_are_no_evidence_and_rare_ones_decide() {
        let records = book(10);
        let corpus = Corpus::new(&records);
        // "bone" and "density" are in every body: only the topic tells.
        assert_eq!(corpus.title_body_overlap(&records[3]), Some(1.0));
        let swapped = record("Bone density and topic3", &records[4].paragraphs[0]);
        assert_eq!(corpus.title_body_overlap(&swapped), Some(0.0));
        // A title of common words only: cannot tell.
        let vague = record("Bone density", &records[4].paragraphs[0]);
        assert_eq!(corpus.title_body_overlap(&vague), None);
        // A short body, or one in another script: cannot tell.
        assert_eq!(
            corpus.title_body_overlap(&record("Bone topic1", "bone")),
            None
        );
        let chinese_title = record("骨密度与topic3", &records[4].paragraphs[0]);
        assert_eq!(
            corpus.title_body_overlap(&chinese_title),
            Some(0.0),
            "topic3 is judged"
        );
        let only_han = record("骨密度", &records[4].paragraphs[0]);
        assert_eq!(
            corpus.title_body_overlap(&only_han),
            None,
            "an English body"
        );
    }

    #[test]
    fn han_titles_are_read_as_bigrams() {
        let mut records = book(6);
        let body = format!("{}维生素D与跌倒风险。", "骨密度测量方法。".repeat(25));
        records.push(record("维生素D与跌倒", &body));
        let corpus = Corpus::new(&records);
        let last = records.last().unwrap();
        assert_eq!(corpus.title_body_overlap(last), Some(1.0));
        let elsewhere = record("肌少症的流行病学", &body);
        assert_eq!(corpus.title_body_overlap(&elsewhere), Some(0.0));
    }
}
