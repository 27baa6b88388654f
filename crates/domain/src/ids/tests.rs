use super::*;

const KINDS: [IdKind; 8] = [
    IdKind::User,
    IdKind::Organization,
    IdKind::Membership,
    IdKind::Activity,
    IdKind::BodyMetric,
    IdKind::SleepDay,
    IdKind::NutritionDay,
    IdKind::DailyWellness,
];

#[test]
fn public_ids_round_trip_for_every_kind_and_edge_key() {
    for kind in KINDS {
        for key in [1, 2, 3, 42, 1_000_000, i64::from(u32::MAX), i64::MAX] {
            let text = encode_public_id(kind, key);
            assert!(text.starts_with(&format!("{}_", kind.prefix())), "{text}");
            assert_eq!(text.len(), kind.prefix().len() + 1 + ENCODED_LEN);
            assert_eq!(decode_public_id(kind, &text), Some(key), "{text}");
        }
    }
}

#[test]
fn public_ids_of_neighbouring_keys_look_unrelated() {
    let a = encode_public_id(IdKind::Activity, 1);
    let b = encode_public_id(IdKind::Activity, 2);
    let shared = a.chars().zip(b.chars()).filter(|(x, y)| x == y).count();
    assert!(shared < 8, "{a} and {b} share {shared} characters");
    assert_ne!(a[4..], encode_public_id(IdKind::BodyMetric, 1)[3..]);
}

#[test]
fn foreign_or_malformed_ids_decode_to_nothing() {
    let act = encode_public_id(IdKind::Activity, 7);
    assert_eq!(decode_public_id(IdKind::BodyMetric, &act), None);
    assert_eq!(decode_public_id(IdKind::Activity, "act_"), None);
    assert_eq!(
        decode_public_id(IdKind::Activity, "act_zzzzzzzzzzzzz"),
        None
    );
    assert_eq!(
        decode_public_id(IdKind::Activity, "act_0000000000000u"),
        None
    );
    assert_eq!(
        decode_public_id(IdKind::Activity, &act.to_uppercase()),
        None
    );
    assert_eq!(decode_public_id(IdKind::Activity, "7"), None);
    assert_eq!(
        decode_public_id(IdKind::Activity, "act_ölölölölölölö"),
        None
    );
}

#[test]
fn organization_references_accept_either_id_form() {
    let org = OrgId(12);
    assert_eq!(OrgId::parse_reference(&org.public()), Some(org));
    assert_eq!(OrgId::parse_reference("12"), Some(org));
    assert_eq!(OrgId::parse_reference("0"), None);
    assert_eq!(OrgId::parse_reference("Team Alpine"), None);
}
