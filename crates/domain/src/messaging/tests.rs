use super::*;

#[test]
fn content_is_trimmed_and_kept_as_written_inside() {
    let content = MessageContent::parse("  Hi Jack,\n\tsee you at the track.\r\n ").unwrap();
    assert_eq!(content.as_str(), "Hi Jack,\n\tsee you at the track.");
    assert_eq!(MessageContent::parse("ü 🚴").unwrap().as_str(), "ü 🚴");
}

#[test]
fn blank_content_is_refused() {
    for text in ["", " ", "\n\t \r\n", "\u{3000}"] {
        assert_eq!(
            MessageContent::parse(text),
            Err(ContentError::Blank),
            "{text:?}"
        );
    }
}

#[test]
fn content_is_bounded_in_characters_after_trimming() {
    let longest = "é".repeat(MAX_CONTENT_CHARS);
    assert!(MessageContent::parse(&longest).is_ok());
    assert!(MessageContent::parse(&format!("  {longest}\n")).is_ok());
    assert_eq!(
        MessageContent::parse(&format!("{longest}x")),
        Err(ContentError::TooLong)
    );
}

#[test]
fn nul_is_refused_anywhere() {
    for text in ["a\0b", "\0", " hello \0"] {
        assert_eq!(
            MessageContent::parse(text),
            Err(ContentError::Nul),
            "{text:?}"
        );
    }
}

#[test]
fn the_default_query_reads_the_latest_page() {
    let query = ConversationQuery::default();
    assert_eq!(query.before, None);
    assert_eq!(query.limit, MAX_CONVERSATION_PAGE);
}
