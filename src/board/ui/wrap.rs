//! Wrapping styled lines to a width, right with double-width text.
//!
//! ratatui's word wrapper can put a double-width character in the last column of a row, where
//! half of it lands on the pane's border (a history line ending `· 受理` at the edge hid the
//! detail pane's right border). The detail pane therefore wraps its lines here: at the last space
//! of a row when it has one, else between characters, and a row never holds more than `cols`
//! columns.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// `lines` wrapped to rows of at most `cols` columns; an empty line stays one empty row.
pub fn wrap_lines(lines: &[Line<'_>], cols: usize) -> Vec<Line<'static>> {
    let cols = cols.max(2);
    let mut out = Vec::new();
    for line in lines {
        let chars: Vec<(char, Style)> = line
            .spans
            .iter()
            .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
            .collect();
        let mut start = 0;
        loop {
            let (end, next) = row_end(&chars[start..], cols);
            out.push(rebuild(&chars[start..start + end], line.style));
            if next == 0 || start + next >= chars.len() {
                break;
            }
            start += next;
        }
    }
    out
}

/// Where the row starting at `chars` ends (exclusive) and where the next row starts, both
/// relative to `chars`. The next start is 0 when everything fits.
fn row_end(chars: &[(char, Style)], cols: usize) -> (usize, usize) {
    let mut used = 0;
    let mut last_space = None;
    for (i, (c, _)) in chars.iter().enumerate() {
        let w = c.width().unwrap_or(0);
        if used + w > cols {
            return match last_space {
                // Break after the space; the space ends the row (not drawn past the edge).
                Some(s) if s > 0 => (s, s + 1),
                _ => (i.max(1), i.max(1)),
            };
        }
        if *c == ' ' {
            last_space = Some(i);
        }
        used += w;
    }
    (chars.len(), 0)
}

/// One row as spans of runs of the same style.
fn rebuild(chars: &[(char, Style)], style: Style) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_style = None;
    for (c, s) in chars {
        if run_style != Some(*s) && !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                run_style.unwrap_or_default(),
            ));
        }
        run_style = Some(*s);
        run.push(*c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, run_style.unwrap_or_default()));
    }
    Line::from(spans).style(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn a_double_width_word_at_the_edge_goes_to_the_next_row() {
        // 12 columns: "abcdefghi " takes 10, so 受 would end in column 12 and 理 cross the
        // edge: the word moves to the next row whole.
        let line = Line::from("abcdefghi 受理 cd");
        let rows = wrap_lines(&[line], 12);
        assert_eq!(texts(&rows), ["abcdefghi", "受理 cd"]);
        for r in &rows {
            assert!(r.width() <= 12, "{r:?}");
        }
    }

    #[test]
    fn text_without_spaces_breaks_between_characters_and_never_splits_one() {
        let rows = wrap_lines(&[Line::from("未办理夜间施工许可仍连续作业")], 7);
        assert_eq!(
            texts(&rows),
            ["未办理", "夜间施", "工许可", "仍连续", "作业"]
        );
    }

    #[test]
    fn styles_survive_and_empty_lines_stay() {
        let bold = Style::new().bold();
        let line = Line::from(vec![Span::raw("催办 "), Span::styled("池池池", bold)]);
        let rows = wrap_lines(&[line, Line::from("")], 6);
        assert_eq!(texts(&rows), ["催办", "池池池", ""]);
        assert_eq!(rows[1].spans[0].style, bold);
    }
}
