package dev.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathEncodingTest {

    @Test
    void wellFormedPathsPass() {
        assertThat(PathEncoding.problem("/v2/alice/app/manifests/latest")).isNull();
        assertThat(PathEncoding.problem("/v2/auditlogs/alice/")).isNull();
        assertThat(PathEncoding.problem("/v2/a%20b")).isNull();
        assertThat(PathEncoding.problem("/caf%C3%A9")).isNull();
        assertThat(PathEncoding.decode("caf%C3%A9")).isEqualTo("café");
    }

    @Test
    void malformedEscapesAreRefusedWhereverTheyAre() {
        assertThat(PathEncoding.problem("/v2/%u0041/")).contains("malformed percent escape");
        assertThat(PathEncoding.problem("/v2/a;%zz/b")).contains("malformed percent escape");
        assertThat(PathEncoding.problem("/v2/a%zz")).contains("malformed percent escape");
        assertThat(PathEncoding.problem("/v2/a%4")).contains("incomplete");
        assertThat(PathEncoding.problem("/v2/a/b/blobs/%ff")).contains("not UTF-8");
        assertThat(PathEncoding.problem("/v2/%C3%28")).contains("not UTF-8");
    }

    @Test
    void encodingsThatChangeHowAPathSplitsAreRefused() {
        assertThat(PathEncoding.problem("/v2/alice%2Fapp/tags/list")).contains("path separator");
        assertThat(PathEncoding.problem("/v2/alice%5capp")).contains("path separator");
        assertThat(PathEncoding.problem("/v2/a%00b")).contains("control character");
        assertThat(PathEncoding.problem("/v2/a%0Ab")).contains("control character");
    }

    @Test
    void rawCharactersThatMustBeEncodedAreRefused() {
        assertThat(PathEncoding.problem("/v2/a b")).contains("must be percent-encoded");
        assertThat(PathEncoding.problem("/v2/é")).contains("must be percent-encoded");
        assertThat(PathEncoding.problem("v2/a")).contains("must start with /");
        assertThat(PathEncoding.problem(null)).isNotNull();
    }
}
