//! Tests of the `:` line's parsing and the command forms.

use super::*;

fn words(s: &str) -> Vec<String> {
    split_words(s).unwrap()
}

#[test]
fn words_split_on_spaces_and_keep_quoted_text() {
    assert_eq!(
        words(r#"reply --result "已修复 楼道灯" --person '王 芳'"#),
        ["reply", "--result", "已修复 楼道灯", "--person", "王 芳"]
    );
    assert_eq!(words("  sign  "), ["sign"]);
    assert_eq!(words(r#"note --note """#), ["note", "--note", ""]);
    assert!(split_words("reply --result \"open").is_err());
}

#[test]
fn a_complete_line_parses_and_a_missing_option_opens_the_form_prefilled() {
    let id = CaseId("LS-20261123-0001".into());
    assert!(matches!(
        parse(&words("dispatch --to laoshan.hrss"), &id, 3),
        Parsed::Command(ActCommand::Dispatch { .. })
    ));
    let Parsed::NeedsForm(form) = parse(&words("reply --person 王芳"), &id, 3) else {
        panic!("expected a form");
    };
    let names: Vec<&str> = form.fields.iter().map(|f| f.option.as_str()).collect();
    assert_eq!(names, ["result", "basis", "person", "phone"]);
    assert_eq!(form.fields[2].input.value(), "王芳");
    assert_eq!(form.focus, 0);
    assert!(matches!(parse(&words("fly"), &id, 3), Parsed::Error(_)));
}

#[test]
fn choices_take_digits_and_arrows_and_flags_read_yes() {
    use crate::domain::case::{Category, Kind};
    let id = CaseId("LS-20261123-0001".into());
    let mut form = Form::new("accept", &id, 1, &[]).unwrap();
    // A required choice starts on its first value, so the form is complete at once.
    assert_eq!(
        form.command().unwrap(),
        ActCommand::Accept {
            province: false,
            category: Category::Livelihood,
            kind: None,
            complex: false,
            matter: None,
        }
    );
    form.type_text("3");
    form.move_focus(true);
    form.cycle(false);
    form.move_focus(true);
    form.type_text("y");
    assert_eq!(
        form.command().unwrap(),
        ActCommand::Accept {
            province: false,
            category: Category::Enforcement,
            kind: Some(Kind::Complaint),
            complex: true,
            matter: None,
        }
    );
    assert!(form.fields[2].is_on());
    // A reject reason is chosen on purpose: empty, focused, and required.
    let mut form = Form::new("reject", &id, 1, &[]).unwrap();
    assert_eq!((form.fields[0].input.value(), form.focus), ("", 0));
    assert!(!form.check());
    assert_eq!(form.fields[0].problem, Some("required"));
    form.cycle(true);
    assert_eq!(form.fields[0].input.value(), "1");
    form.type_text("7");
    assert_eq!(form.fields[0].input.value(), "7");
}

#[test]
fn a_reply_checks_every_element_and_the_phone_and_pastes_on_one_line() {
    let id = CaseId("LS-20261123-0001".into());
    let mut form = Form::new("reply", &id, 1, &[]).unwrap();
    assert!(!form.check());
    let problems: Vec<_> = form.fields.iter().map(|f| f.problem).collect();
    assert_eq!(problems, [Some("required"); 4]);
    form.type_text("已现场核实\n并修复");
    assert_eq!(form.fields[0].input.value(), "已现场核实 并修复");
    form.move_focus(true);
    form.type_text("《条例》");
    form.move_focus(true);
    form.type_text("李和超");
    form.move_focus(true);
    form.type_text("12");
    assert!(!form.check());
    assert_eq!(form.fields[3].problem, Some("bad_phone"));
    form.type_text("345678901");
    assert!(form.check(), "{:?}", form.fields[3].problem);
}

#[test]
fn a_return_form_has_no_confirm_field_the_confirmation_gives_it() {
    let id = CaseId("LS-20261123-0001".into());
    let mut form = Form::new("return", &id, 1, &[]).unwrap();
    let names: Vec<&str> = form.fields.iter().map(|f| f.option.as_str()).collect();
    assert_eq!(names, ["reason"]);
    form.type_text("不属于本单位职责");
    assert_eq!(
        form.command().unwrap(),
        ActCommand::Return {
            reason: "不属于本单位职责".into(),
            confirm: false
        }
    );
}

#[test]
fn unit_fields_take_names_resolved_to_ids() {
    let id = CaseId("LS-20261123-0001".into());
    let mut form = Form::new("joint", &id, 1, &[]).unwrap();
    form.type_text("市场");
    form.move_focus(true);
    form.type_text("执法，金家岭");
    let resolve = |s: &str| match s {
        "市场" => Some("laoshan.market".to_string()),
        "执法" => Some("laoshan.enforcement".to_string()),
        "金家岭" => Some("laoshan.jinjialing".to_string()),
        _ => None,
    };
    assert_eq!(
        form.command_resolved(&resolve).unwrap(),
        ActCommand::Joint {
            part_days: None,
            lead: "laoshan.market".into(),
            support: vec!["laoshan.enforcement".into(), "laoshan.jinjialing".into()],
            days: None
        }
    );
    form.type_text("、月球");
    let e = form.command_resolved(&resolve).unwrap_err();
    assert!(e.contains("月球"), "{e}");
}

#[test]
fn a_rating_starts_unchosen_and_must_be_chosen_before_submitting() {
    let id = CaseId("LS-20261123-0001".into());
    for word in ["evaluate", "assess", "reject"] {
        let form = Form::new(word, &id, 3, &[]).expect("a form");
        for f in form.fields.iter().filter(|f| f.is_choice() && f.required) {
            assert_eq!(f.input.value(), "", "{word} --{} starts chosen", f.option);
        }
    }
    let mut form = Form::new("evaluate", &id, 3, &[]).expect("a form");
    assert!(!form.check(), "an evaluation with no rating was accepted");
    // The first arrow press chooses the first value, not the second.
    form.cycle(true);
    assert_eq!(form.fields[form.focus].input.value(), "satisfied");
}
