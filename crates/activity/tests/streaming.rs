//! Reading a FIT file as it arrives, chunk by chunk, gives what reading it whole gives:
//! every file of the shared corpus, cut into chunks of several sizes, is decoded by
//! `ActivityStream` to the same summary, legs, laps and devices as by `decode_activity`
//! (the record streams only in their stored form, as `streams::encode` writes them), refused when `decode_activity` refuses it, and read by
//! `reader::Streaming` into the same messages at the same offsets as by `reader::read`.

#![allow(clippy::expect_used, clippy::panic)]

use paceline_activity::fit::reader::{self, Message, Visitor};
use paceline_activity::fit::{ActivityStream, FitError, StreamedActivity, decode_activity};
use paceline_activity::streams;
use paceline_testdata::Corpus;
use std::sync::OnceLock;

fn corpus() -> Vec<(String, Vec<u8>)> {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    let corpus = CORPUS.get_or_init(|| Corpus::open("FIT files decoded in chunks"));
    let files = corpus.files("fit", "fit");
    assert!(
        files.len() > 50 || !corpus.is_whole(),
        "{} files",
        files.len()
    );
    files
}

/// The corpus files with `hr` messages.
const NEED_RECORDS: &[&str] = &[
    "fitdecode__garmin-fr935-cr.fit",
    "fitsdkjs__HrmPluginTestActivity.fit",
    "muktihari__HrmPluginTestActivity.fit",
    "pyfitparse__event_timestamp.fit",
    "sportslib__6688025408.fit",
    "sportslib__6788312639-1.fit",
];

fn chunk_sizes(len: usize) -> Vec<usize> {
    let mut sizes = vec![13, 4096, 65_536, len.max(1)];
    if len < 100_000 {
        sizes.push(1);
    }
    sizes
}

fn streamed(bytes: &[u8], chunk: usize) -> Result<Option<StreamedActivity>, FitError> {
    let mut stream = ActivityStream::new();
    for part in bytes.chunks(chunk) {
        stream.feed(part)?;
    }
    stream.finish_stored()
}

#[test]
fn every_file_decodes_in_chunks_as_it_does_whole() {
    let mut needing_records = Vec::new();
    for (name, bytes) in corpus() {
        let whole = decode_activity(&bytes);
        for chunk in chunk_sizes(bytes.len()) {
            let label = format!("{name} in chunks of {chunk}");
            match (&whole, streamed(&bytes, chunk)) {
                (Err(_), Err(_)) => {}
                (Err(FitError::NotAnActivity { .. }), other) => {
                    panic!("{label}: not an activity, streamed {other:?}")
                }
                (Err(e), Ok(_)) => panic!("{label}: refused whole ({e}), accepted in chunks"),
                (Ok(_), Err(e)) => panic!("{label}: accepted whole, refused in chunks: {e}"),
                (Ok(_), Ok(None)) => needing_records.push(label),
                (Ok(full), Ok(Some(streamed))) => {
                    // The records come back in their stored form, as the whole decode's
                    // streams encode.
                    assert_eq!(streamed.points, full.streams.len() as u64, "{label}");
                    assert!(
                        streamed.stored_streams == streams::encode(&full.streams),
                        "{label}: stored streams differ"
                    );
                    let part = streamed.activity;
                    assert_eq!(part.summary, full.summary, "{label}");
                    assert_eq!(part.legs, full.legs, "{label}");
                    assert_eq!(part.laps, full.laps, "{label}");
                    assert_eq!(part.file_id, full.file_id, "{label}");
                    assert_eq!(part.devices, full.devices, "{label}");
                    assert_eq!(part.activity, full.activity, "{label}");
                    assert_eq!(part.fit_files, full.fit_files, "{label}");
                    assert_eq!(part.record_messages, full.record_messages, "{label}");
                    assert_eq!(part.length_count, full.length_count, "{label}");
                    assert_eq!(
                        part.contains_activity_file, full.contains_activity_file,
                        "{label}"
                    );
                    assert!(part.streams.is_empty(), "{label}: streams kept");
                }
            }
        }
    }
    // Only files whose strap stored beats in `hr` messages need the records.
    needing_records.sort();
    needing_records.dedup_by(|a, b| a.split(' ').next() == b.split(' ').next());
    let files: Vec<&str> = needing_records
        .iter()
        .filter_map(|label| label.split(' ').next())
        .collect();
    // Without the shared corpus, the files of the list that are carried.
    let present: Vec<String> = corpus().into_iter().map(|(name, _)| name).collect();
    let need: Vec<&str> = NEED_RECORDS
        .iter()
        .copied()
        .filter(|name| present.iter().any(|p| p == name))
        .collect();
    assert_eq!(files, need, "files whose heart rates need the records");
}

/// Every message's global number, offset and timestamp, and every file header's offset.
#[derive(Default)]
struct Log(Vec<(u16, usize, Option<u32>)>);

impl Visitor for Log {
    fn file_header(&mut self, header: &reader::FileHeader) -> Result<(), FitError> {
        self.0.push((u16::MAX, header.offset, None));
        Ok(())
    }

    fn message(&mut self, message: &Message<'_>) -> Result<(), FitError> {
        self.0.push((
            message.global,
            message.offset,
            message.timestamp.map(|t| t.0),
        ));
        Ok(())
    }
}

#[test]
fn the_streaming_reader_sees_the_messages_the_whole_reader_sees() {
    for (name, bytes) in corpus() {
        let mut whole = Log::default();
        let read = reader::read(&bytes, &mut whole);
        for chunk in chunk_sizes(bytes.len()) {
            let mut stream = reader::Streaming::new(Log::default());
            let fed = bytes.chunks(chunk).try_for_each(|part| stream.feed(part));
            let streamed = fed.and_then(|()| stream.finish());
            match (&read, streamed) {
                (Ok(()), Ok(log)) => assert!(log.0 == whole.0, "{name} in chunks of {chunk}"),
                (Err(_), Err(_)) => {}
                (read, streamed) => panic!(
                    "{name} in chunks of {chunk}: whole {read:?}, streamed {:?}",
                    streamed.map(|_| ())
                ),
            }
        }
    }
}

#[test]
fn cut_and_empty_inputs_are_refused_at_their_end() {
    assert!(matches!(
        ActivityStream::new().finish(),
        Err(FitError::Empty)
    ));
    let (_, bytes) = corpus()
        .into_iter()
        .find(|(name, _)| name == "fitsdkjs__Activity.fit")
        .expect("the SDK's sample");
    for cut in [1, 10, 13, 100, bytes.len() / 2, bytes.len() - 1] {
        let refused = streamed(&bytes[..cut], 512).expect_err("cut off");
        let whole = decode_activity(&bytes[..cut]).expect_err("cut off");
        assert_eq!(refused.to_string(), whole.to_string(), "cut at {cut}");
    }
}
