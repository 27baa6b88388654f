use super::prose;

#[test]
fn code_spans_become_code_and_the_rest_is_escaped() {
    assert_eq!(
        prose("multipart field `file`, at most 25 MB"),
        "multipart field <code>file</code>, at most 25 MB"
    );
    assert_eq!(
        prose("`a<b>` & `c`"),
        "<code>a&lt;b&gt;</code> &amp; <code>c</code>"
    );
    assert_eq!(prose("a lone ` stays"), "a lone ` stays");
    assert_eq!(prose("`x` and ` one"), "<code>x</code> and ` one");
    assert_eq!(
        prose("\"quoted\" 'text'"),
        "&quot;quoted&quot; &#39;text&#39;"
    );
    assert_eq!(prose(""), "");
}
