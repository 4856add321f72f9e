package dev.wharf.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class TokenSecretTest {
    @Test
    void generatedSecretsHaveThePublishedShapeAndChecksum() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String s = TokenSecret.generate(TokenSecret.PAT_PREFIX);
            assertThat(s).matches("wharf_pat_[0-9A-Za-z]{42}");
            assertThat(TokenSecret.isWellFormed(s, TokenSecret.PAT_PREFIX)).isTrue();
            assertThat(seen.add(s)).isTrue();
        }
    }

    @Test
    void checksumIsBase62OfCrc32LeftPadded() {
        String body = "wharf_pat_" + "0".repeat(36);
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long v = crc.getValue();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            expected.insert(0, TokenSecret.BASE62.charAt((int) (v % 62)));
            v /= 62;
        }
        assertThat(TokenSecret.checksum(body)).isEqualTo(expected.toString()).hasSize(6);
        assertThat(TokenSecret.isWellFormed(body + expected, TokenSecret.PAT_PREFIX)).isTrue();
    }

    @Test
    void anySingleCharacterChangeIsDetected() {
        String s = TokenSecret.generate(TokenSecret.PAT_PREFIX);
        for (int i = TokenSecret.PAT_PREFIX.length(); i < s.length(); i++) {
            char c = s.charAt(i);
            char other = c == 'a' ? 'b' : 'a';
            String mutated = s.substring(0, i) + other + s.substring(i + 1);
            assertThat(TokenSecret.isWellFormed(mutated, TokenSecret.PAT_PREFIX)).as(mutated).isFalse();
        }
        assertThat(TokenSecret.isWellFormed(s.substring(1), TokenSecret.PAT_PREFIX)).isFalse();
        assertThat(TokenSecret.isWellFormed(s + "x", TokenSecret.PAT_PREFIX)).isFalse();
        assertThat(TokenSecret.isWellFormed(s.replace("wharf_pat_", "wharf_oat_"), TokenSecret.PAT_PREFIX)).isFalse();
        assertThat(TokenSecret.isWellFormed(null, TokenSecret.PAT_PREFIX)).isFalse();
    }

    @Test
    void storedFormIsHexSha256() {
        assertThat(TokenSecret.sha256("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
