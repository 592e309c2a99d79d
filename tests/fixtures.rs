//! The bundled fixtures meet what the product promises: the "1 + 10" organisation with its
//! platform names, a handler for every unit, realistic demo cases, and a working responsibility
//! list.

use std::collections::HashSet;

use jiban::domain::case::{Category, Channel};
use jiban::domain::config::Config;
use jiban::domain::intake::parse_line;
use jiban::domain::org::{Level, UnitId};
use jiban::domain::users::{is_valid_login, Role};

fn config() -> Config {
    Config::from_sources(&jiban::fixtures::bundled()).expect("bundled fixtures parse")
}

#[test]
fn the_city_and_ten_district_platforms_carry_their_published_names() {
    let cfg = config();
    let expected = [
        ("shinan", "暖南诉办"),
        ("shibei", "北尚诉办"),
        ("licang", "李即办"),
        ("laoshan", "崂先办"),
        ("huangdao", "诉速办"),
        ("chengyang", "城心办"),
        ("jimo", "即诉即办"),
        ("jiaozhou", "胶心办"),
        ("pingdu", "平读心声"),
        ("laixi", "爱莱西"),
    ];
    assert_eq!(cfg.org.districts().count(), 10);
    for (id, platform) in expected {
        let u = cfg
            .org
            .get_str(id)
            .unwrap_or_else(|| panic!("no district {id}"));
        assert_eq!(u.platform_name.as_deref(), Some(platform));
        assert!(u.population.unwrap_or(0) > 100_000, "{id} population");
    }
    for id in [
        "laoshan.hrss",
        "chengyang.enforcement",
        "city.hrss",
        "laoshan.jinjialing.haidamaidao",
    ] {
        assert!(cfg.org.get_str(id).is_some(), "missing {id}");
    }
    for district in ["laoshan", "shibei", "chengyang"] {
        let d = UnitId::new(district);
        let streets: Vec<_> = cfg
            .org
            .children(&d)
            .filter(|u| u.level == Level::Street)
            .collect();
        assert!(streets.len() >= 3, "{district} streets");
        for s in streets {
            assert!(cfg.org.children(&s.id).count() >= 2, "{} communities", s.id);
        }
        for t in [
            "hrss",
            "enforcement",
            "housing",
            "market",
            "environment",
            "transport",
        ] {
            assert!(
                cfg.org.get_str(&format!("{district}.{t}")).is_some(),
                "{district}.{t}"
            );
        }
    }
    assert!(cfg
        .org
        .units()
        .iter()
        .all(|u| !u.name.is_empty() && !u.name_en.is_empty()));
}

#[test]
fn every_unit_has_a_handler_every_platform_a_dispatcher_every_district_a_supervisor() {
    let cfg = config();
    let has = |unit: &UnitId, role: Role| {
        cfg.users
            .all()
            .iter()
            .any(|u| &u.unit == unit && u.role == role)
    };
    for u in cfg.org.units() {
        match u.level {
            Level::City => assert!(has(&u.id, Role::CityDispatcher)),
            Level::District => {
                assert!(has(&u.id, Role::DistrictDispatcher), "{} dispatcher", u.id);
                assert!(has(&u.id, Role::Supervisor), "{} supervisor", u.id);
            }
            _ => assert!(has(&u.id, Role::UnitHandler), "{} handler", u.id),
        }
    }
    assert!(cfg.users.all().iter().all(|u| is_valid_login(&u.login)));
    assert!(cfg.users.all().iter().any(|u| u.role == Role::Trainer));
}

#[test]
fn the_demo_cases_cover_every_district_category_channel_and_the_seed_stories() {
    let cfg = config();
    let mut districts = HashSet::new();
    let mut categories = HashSet::new();
    let mut channels = HashSet::new();
    let mut titles = String::new();
    let mut n = 0;
    for (i, line) in jiban::fixtures::DEMO_CASES.lines().enumerate() {
        let c = parse_line(i + 1, line, &cfg.org).unwrap_or_else(|e| panic!("{e}"));
        districts.insert(c.district.clone());
        categories.extend(c.category);
        channels.insert(c.channel);
        titles.push_str(&c.title);
        n += 1;
    }
    assert!(n >= 150, "{n} demo cases");
    assert_eq!(districts.len(), 10);
    assert_eq!(categories.len(), Category::ALL.len());
    assert_eq!(channels.len(), Channel::ALL.len());
    for story in [
        "大成路47号",
        "香东路与宏通路",
        "金种子",
        "亚麦山城小区9号楼",
        "音响",
        "退款",
    ] {
        assert!(titles.contains(story), "seed story {story}");
    }
}

#[test]
fn the_responsibility_list_suggests_the_owning_department_with_the_matching_keyword() {
    let cfg = config();
    let laoshan = UnitId::new("laoshan");
    let s = cfg
        .responsibility
        .suggest(&cfg.org, &laoshan, "咨询金种子人才培养经费申请流程", 3);
    assert_eq!(
        s.first().map(|x| x.unit.as_str()),
        Some("laoshan.hrss"),
        "{s:?}"
    );
    assert!(s[0].keyword == "金种子" || s[0].keyword == "人才", "{s:?}");
    let noise = cfg
        .responsibility
        .suggest(&cfg.org, &laoshan, "楼下商铺音响噪音扰民", 3);
    assert_eq!(
        noise.first().map(|x| x.unit.as_str()),
        Some("laoshan.enforcement"),
        "{noise:?}"
    );
    assert!(cfg
        .responsibility
        .suggest(&cfg.org, &laoshan, "天气很好", 3)
        .is_empty());
}
