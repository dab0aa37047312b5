//! Roles on a wire story the way it appears on real sites: an agency report
//! and the newspapers that reuse it (whole, cut short, trimmed, rewritten
//! with credit), one paper that reported the event itself, and another
//! story on the same topic. Every page carries its own site furniture, the
//! original included, so "the page without chrome is the original" cannot
//! decide; the variants add and remove timestamps and site metadata.

mod common;

use common::{run_default, Outcome};
use newsdedup::roles::{CopyKind, Role};
use newsdedup::{Article, Pipeline, PipelineParams};

/// The agency report, one paragraph a line (after its dateline).
const REPORT: [&str; 8] = [
    "The coastal ferry Nordlys Aurora ran aground on a skerry north of Bodø early on Tuesday, and all 212 passengers were taken off the ship by rescue boats and helicopters, the Joint Rescue Coordination Centre said.",
    "Nobody was seriously hurt. Four passengers were treated for hypothermia after waiting on the open deck in gale-force winds, and one crew member was taken to Nordland Hospital with a broken wrist.",
    "The 121-metre vessel struck the rocks at 04:40 local time while sailing from Ørnes towards Bodø in heavy seas, with waves of up to six metres reported in the area overnight.",
    "Shipping operator Hurtigfjord said water had entered two compartments in the bow but the hull was stable, and that a salvage tug was on its way from Svolvær to secure the ship at first light.",
    "The Norwegian Coastal Administration deployed an oil-spill response vessel as a precaution. It said a thin sheen of diesel had been spotted near the skerry but no leak had been confirmed.",
    "Passengers were brought to a sports hall in Bodø, where the municipality set up an emergency centre with food, dry clothes and buses to take them on to hotels and the airport.",
    "The Norwegian Safety Investigation Authority said it had opened an inquiry and would interview the captain and the pilot on the bridge, as well as examine the ship's voyage data recorder.",
    "It is the second grounding on the coastal route this year. In March the Nordlys Polaris hit a sandbank outside Stokmarknes without injuries to the 140 people on board.",
];

/// A newspaper's own retelling of the report, crediting the agency.
const REWRITE: &str = "\
Ferry runs onto rocks off Bodø, 212 evacuated
More than two hundred people had to be lifted off the Nordlys Aurora on Tuesday morning after the coastal ferry hit a skerry in a storm north of Bodø, Nordwire reports.
Rescuers used boats and helicopters for the evacuation, which took most of the night; four people needed treatment for hypothermia and a crew member broke a wrist.
Hurtigfjord, which runs the ferry, says two bow compartments took on water but the ship is stable. A tug from Svolvær will try to secure the hull.
The accident investigation board has started an inquiry and will question the captain and the pilot.";

/// A paper that covered the grounding with its own reporters: the same
/// facts (ship, place, numbers, operator), its own words and quotes.
const OWN_REPORTING: &str = "\
212 rescued as Nordlys Aurora hits skerry in storm
Helicopters and rescue boats worked through the dark on Tuesday to bring 212 passengers off the Nordlys Aurora, which hit a skerry north of Bodø shortly before five in the morning.
The rescue coordination centre in Bodø told our newspaper that four people were suffering from hypothermia. A crew member with a wrist injury went to Nordland Hospital.
Captain Eirik Solheim radioed for help minutes after the grounding, a spokesman for operator Hurtigfjord confirmed, adding that pumps were keeping the water in the bow under control.
Passenger Kari Lunde, 67, said the ship shuddered and the lights went out. \"We stood on deck in the wind for almost two hours before the helicopter came,\" she said at the sports hall in Bodø, where the evacuated passengers spent the morning.
The safety investigation authority will examine why the ferry left the fairway in the storm.";

/// Another story on the same topic: safety on the coastal route.
const SAME_TOPIC: &str = "\
Coastal route operators face new rules on winter sailings
Norway's Maritime Authority proposed on Monday that ferries on the coastal route must carry extra rescue equipment and report weather assessments before every winter departure from Bergen, Trondheim or Bodø.
The proposal follows several incidents on the route in recent years, including a sandbank grounding in Vesterålen.
Operators have until February to comment. Hurtigfjord said it welcomed clearer rules but warned that costs could push ticket prices up.
The new rules would apply from the 2027-28 winter season.";

struct Page {
    id: &'static str,
    masthead: &'static str,
    source: &'static str,
    url: &'static str,
    published_at: &'static str,
    body: String,
}

/// Wraps a body in a site's furniture: masthead, share bar, related links, footer.
fn page(site: &str, body: &str) -> String {
    format!(
        "{site}\nShare · Facebook · X · Email\n{body}\nRelated articles:\nCoastal route operators face new rules on winter sailings\nStorm warnings issued for Nordland and Troms\n© 2026 {site}. All rights reserved."
    )
}

fn dateline(paragraphs: &[&str]) -> String {
    format!("Ferry with 212 aboard runs aground off Bodø\nBODØ (Nordwire) — {}", paragraphs.join("\n"))
}

fn story() -> Vec<Page> {
    let all: Vec<&str> = REPORT.to_vec();
    let without_fifth: Vec<&str> = all.iter().enumerate().filter(|(i, _)| *i != 4).map(|(_, p)| *p).collect();
    vec![
        Page {
            id: "p1",
            masthead: "Harbour Post",
            source: "Harbour Post",
            url: "https://harbourpost.example/a",
            published_at: "2026-03-10T08:05:00Z",
            body: dateline(&all),
        },
        Page {
            id: "p2",
            masthead: "Nordwire",
            source: "Nordwire",
            url: "https://nordwire.example/n/1",
            published_at: "2026-03-10T07:30:00Z",
            body: dateline(&all),
        },
        Page {
            id: "p3",
            masthead: "Coast Courier",
            source: "Coast Courier",
            url: "https://coastcourier.example/x",
            published_at: "2026-03-10T09:00:00Z",
            body: dateline(&all[..3]),
        },
        Page {
            id: "p4",
            masthead: "Fjord Times",
            source: "Fjord Times",
            url: "https://fjordtimes.example/y",
            published_at: "2026-03-10T08:45:00Z",
            body: dateline(&without_fifth),
        },
        Page {
            id: "p5",
            masthead: "Island Herald",
            source: "Island Herald",
            url: "https://islandherald.example/z",
            published_at: "2026-03-10T10:10:00Z",
            body: REWRITE.to_string(),
        },
        Page {
            id: "p6",
            masthead: "Bodø Daily",
            source: "Bodø Daily",
            url: "https://bododaily.example/b",
            published_at: "2026-03-10T11:00:00Z",
            body: OWN_REPORTING.to_string(),
        },
        Page {
            id: "p7",
            masthead: "Maritime Weekly",
            source: "Maritime Weekly",
            url: "https://maritimeweekly.example/m",
            published_at: "2026-03-09T12:00:00Z",
            body: SAME_TOPIC.to_string(),
        },
    ]
}

/// What a variant gives the pipeline besides the page text.
#[derive(Clone, Copy)]
struct Variant {
    mastheads: bool,
    metadata: bool,
    timestamps: bool,
}

fn articles(v: Variant) -> Vec<Article> {
    story()
        .into_iter()
        .map(|p| {
            let site = if v.mastheads { p.masthead } else { "Home · News · Sport · Weather" };
            let mut a = Article::new(p.id, page(site, &p.body));
            if v.metadata {
                a.source = Some(p.source.into());
                a.url = Some(p.url.into());
            }
            if v.timestamps {
                a.published_at = Some(p.published_at.into());
            }
            a
        })
        .collect()
}

fn run(v: Variant) -> Outcome {
    run_default(articles(v))
}

/// The answers that hold whenever the agency can be told from its copies.
fn assert_agency_story(o: &Outcome, how: &str) {
    for member in ["p1", "p3", "p4", "p5", "p6"] {
        assert_eq!(o.cluster[member], o.cluster["p2"], "{how}: {member} tells the agency's story");
    }
    assert_eq!(o.role["p7"], Role::Unique, "{how}: same topic, another story");
    assert_eq!(o.role["p2"], Role::Canonical, "{how}: the agency is the source; evidence {:?}", o.evidence["p2"]);
    let expected = [
        ("p1", CopyKind::Verbatim),
        ("p3", CopyKind::Excerpt),
        ("p4", CopyKind::NearVerbatim),
        ("p5", CopyKind::Rewrite),
    ];
    for (copy, kind) in expected {
        assert_eq!(o.role[copy], Role::Syndicated, "{how}: {copy}");
        assert_eq!(o.kind[copy], Some(kind), "{how}: {copy}");
        assert_eq!(o.derived_from[copy].as_deref(), Some("p2"), "{how}: {copy}");
    }
    assert_eq!(o.role["p6"], Role::Independent, "{how}: own reporting; evidence {:?}", o.evidence["p6"]);
}

#[test]
fn mastheads_alone_name_the_agency() {
    let o = run(Variant { mastheads: true, metadata: false, timestamps: false });
    assert_agency_story(&o, "mastheads");
    assert!(o.evidence["p2"].iter().any(|e| e.contains("credits Nordwire")), "{:?}", o.evidence["p2"]);
    assert!(o.confidence["p2"] >= 0.8, "a credit to the agency is strong evidence: {}", o.confidence["p2"]);
}

#[test]
fn metadata_and_timestamps_name_the_agency() {
    let o = run(Variant { mastheads: false, metadata: true, timestamps: true });
    assert_agency_story(&o, "metadata");
}

#[test]
fn timestamps_decide_between_identical_texts() {
    // No page says whose it is: only publication times tell the agency
    // from the paper that printed its report whole.
    let o = run(Variant { mastheads: false, metadata: false, timestamps: true });
    assert_agency_story(&o, "timestamps");
    assert!(o.evidence["p2"].iter().any(|e| e.contains("published earlier")), "{:?}", o.evidence["p2"]);
}

#[test]
fn identical_texts_without_other_evidence_are_a_coin_toss_and_say_so() {
    let o = run(Variant { mastheads: false, metadata: false, timestamps: false });
    let canonical = if o.role["p2"] == Role::Canonical { "p2" } else { "p1" };
    let other = if canonical == "p2" { "p1" } else { "p2" };
    assert_eq!(o.role[canonical], Role::Canonical, "one of the two identical reports is the source");
    assert_eq!(o.kind[other], Some(CopyKind::Verbatim));
    assert!(o.confidence[canonical] <= 0.6, "a tie must not claim certainty: {}", o.confidence[canonical]);
    assert!(o.confidence[other] <= 0.75, "nor its copy: {}", o.confidence[other]);
    for copy in ["p3", "p4"] {
        assert_eq!(o.role[copy], Role::Syndicated, "{copy}");
    }
    assert_eq!(o.role["p6"], Role::Independent);
}

#[test]
fn a_late_timestamp_does_not_outweigh_a_credit() {
    // Feeds re-stamp articles: the agency's page claims a later time than a copy.
    let mut pages = articles(Variant { mastheads: true, metadata: false, timestamps: true });
    pages.iter_mut().find(|a| a.id == "p2").unwrap().published_at = Some("2026-03-10T12:00:00Z".into());
    let result = Pipeline::new(PipelineParams::default().check().unwrap()).run(pages).unwrap();
    let p2 = result.articles.iter().position(|a| a.id == "p2").unwrap();
    assert_eq!(result.assignments[p2].role, Role::Canonical, "{:?}", result.assignments[p2].evidence);
}

/// The seeds as other sites would show them: every page in its own frame,
/// with and without publication times (the copies stamped *earlier* than
/// the original in one variant: crawl times often are).
#[test]
fn seed_variants_keep_the_telegraph_as_source() {
    let seeds = newsdedup::ingest::read_inputs(
        &[std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/seeds")],
        Default::default(),
    )
    .unwrap()
    .articles;
    let sites = ["Baltic Review", "Kyiv Daily", "Morning Ledger", "Policy Wire", "East Analysis"];
    for times in [None, Some(["2021-08-10T09:00:00Z", "2021-08-09T18:00:00Z", "2021-08-09T20:00:00Z"])] {
        let framed: Vec<Article> = seeds
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut b = Article::new(a.id.clone(), page(sites[i], &a.text.read().unwrap()));
                b.published_at = times.and_then(|t| t.get(i).map(|s| s.to_string()));
                b
            })
            .collect();
        let result = Pipeline::new(PipelineParams::default().check().unwrap()).run(framed).unwrap();
        let of = |prefix: &str| {
            let doc = result.articles.iter().position(|a| a.id.starts_with(prefix)).unwrap();
            &result.assignments[doc]
        };
        assert_eq!(of("002").role, Role::Canonical, "times {times:?}: {:?}", of("002").evidence);
        for copy in ["000", "001"] {
            assert_eq!(of(copy).role, Role::Syndicated, "times {times:?}: {copy}");
            assert_eq!(of(copy).kind, Some(CopyKind::Rewrite), "times {times:?}: {copy}");
        }
        assert_eq!(of("003").role, Role::Unique);
        assert_eq!(of("004").role, Role::Unique);
    }
}

/// One wire story as a new user tries it, texts only (no metadata): the
/// agency's report, a verbatim copy with a copyright line, its first two
/// sentences, a rewrite that credits the agency, and two other stories.
/// The report names a mayor "according to" him: a person, not an outlet.
#[test]
fn a_wire_story_its_copies_and_a_credited_rewrite_from_texts_alone() {
    const WIRE: &str = r#"Wildfire forces evacuation of villages near Leiria
LISBON (Lusa) - More than 400 firefighters were battling a wildfire in central Portugal on Sunday that forced the evacuation of four villages near the city of Leiria, according to Leiria mayor Gonçalo Lopes.
The fire broke out on Saturday afternoon in a pine forest and spread quickly overnight, driven by strong easterly winds and temperatures above 38 degrees Celsius.
Civil protection officials said 120 vehicles and six water-bombing aircraft had been deployed, and that two firefighters were treated for smoke inhalation.
About 350 residents spent the night in a sports hall in Marinha Grande, where the Red Cross handed out blankets and food.
The national weather service has placed 11 districts on red alert until Tuesday, warning that the risk of new fires remains very high.
Portugal has been hit by a series of large wildfires this summer after the driest spring in more than 90 years."#;
    const CREDITED_REWRITE: &str = r#"Hundreds of firefighters fight blaze near Leiria
Four villages close to Leiria in central Portugal were emptied on Sunday as more than 400 firefighters tried to contain a forest fire, the Portuguese news agency Lusa reported.
Strong winds from the east and heat of over 38 degrees helped the flames spread through pine woods overnight after the fire started on Saturday.
Six aircraft and 120 fire engines were sent to the area. Two firefighters needed treatment after breathing in smoke, officials told Lusa.
Around 350 evacuated residents slept in a sports hall in Marinha Grande. Eleven districts are on red alert until Tuesday."#;
    const BANK: &str = r#"Central bank holds rates as inflation eases
The European Central Bank kept its main interest rate unchanged on Thursday, saying inflation in the euro area had fallen to 2.1 percent in May.
President Christine Lagarde told reporters that the governing council was confident price growth would settle near its target next year.
Economists had widely expected the decision, although some had argued for a cut to support weak growth in Germany and Italy."#;
    const STORM: &str = r#"Storm closes ports along the northern coast
Ferries between the islands were cancelled on Monday as a storm with gusts of up to 110 kilometres per hour swept across the northern coast.
The harbour authority said all ports would stay closed until the wind dropped, and advised fishermen to secure their boats.
Several roads were blocked by fallen trees and about 9,000 homes lost power overnight, the grid operator said."#;
    let excerpt: String = WIRE.lines().take(3).collect::<Vec<_>>().join("\n");
    let articles = vec![
        Article::new("original", WIRE),
        Article::new("verbatim", format!("{WIRE}\n© 2025 Coastal Daily. All rights reserved.")),
        Article::new("excerpt", excerpt),
        Article::new("rewrite", CREDITED_REWRITE),
        Article::new("bank", BANK),
        Article::new("storm", STORM),
    ];
    let o = run_default(articles);
    assert_eq!(o.role["original"], Role::Canonical, "{:?}", o.evidence["original"]);
    for (copy, kind) in
        [("verbatim", CopyKind::Verbatim), ("excerpt", CopyKind::Excerpt), ("rewrite", CopyKind::Rewrite)]
    {
        assert_eq!(o.role[copy], Role::Syndicated, "{copy}: {:?}", o.evidence[copy]);
        assert_eq!(o.kind[copy], Some(kind), "{copy}");
        assert_eq!(o.cluster[copy], o.cluster["original"], "{copy}");
    }
    // A text is never derived from a shorter text it contains.
    assert_ne!(o.derived_from["verbatim"].as_deref(), Some("excerpt"));
    assert_ne!(o.derived_from["original"].as_deref(), Some("excerpt"));
    assert!(o.evidence["rewrite"].iter().any(|e| e.starts_with("credits Lusa")), "{:?}", o.evidence["rewrite"]);
    for id in ["bank", "storm"] {
        assert_eq!(o.role[id], Role::Unique, "{id}");
    }
    // "according to Leiria mayor Gonçalo Lopes" credits a person, not an outlet.
    for (id, evidence) in &o.evidence {
        assert!(!evidence.iter().any(|e| e.contains("credits Leiria")), "{id}: {evidence:?}");
    }
}
