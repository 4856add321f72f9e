package dev.wharf.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StorageDriver} does, whatever it stores in: the shared blob logic above it relies on exactly
 * this. An implementation's test extends this class and supplies a fresh, empty driver.
 */
public abstract class StorageDriverContract {
    protected StorageDriver driver;

    protected abstract StorageDriver newDriver() throws Exception;

    @BeforeEach
    void open() throws Exception {
        driver = newDriver();
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] read(String path, long offset, long length) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        driver.read(path, offset, length, Channels.newChannel(out));
        return out.toByteArray();
    }

    @Test
    void aSmallObjectIsReplacedWholeAndReadBack() throws Exception {
        assertThat(driver.get("_uploads/u1/state", 100)).isEmpty();
        driver.put("_uploads/u1/state", "first".getBytes(StandardCharsets.UTF_8));
        driver.put("_uploads/u1/state", "second".getBytes(StandardCharsets.UTF_8));
        assertThat(driver.get("_uploads/u1/state", 100)).hasValueSatisfying(b ->
                assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("second"));
        assertThatThrownBy(() -> driver.get("_uploads/u1/state", 3)).isInstanceOf(java.io.IOException.class);
        StorageDriver.Stat stat = driver.stat("_uploads/u1/state").orElseThrow();
        assertThat(stat.size()).isEqualTo(6);
        assertThat(stat.modified()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(60));
    }

    @Test
    void rangedReadsStreamPartsOfAnObject() throws Exception {
        byte[] data = random(300_000, 1);
        driver.put("sha256/ab/x", data);
        assertThat(read("sha256/ab/x", 0, data.length)).isEqualTo(data);
        assertThat(read("sha256/ab/x", 1234, 5000)).isEqualTo(Arrays.copyOfRange(data, 1234, 6234));
        assertThat(read("sha256/ab/x", 10, 0)).isEmpty();
        assertThatThrownBy(() -> read("sha256/ab/missing", 0, 1)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> read("sha256/ab/missing", 0, 0)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void movesReplaceTheTargetAndDeletesSayWhetherThereWasAnything() throws Exception {
        driver.put("_uploads/u2/data", "new".getBytes(StandardCharsets.UTF_8));
        driver.put("sha256/cd/y", "old".getBytes(StandardCharsets.UTF_8));
        driver.move("_uploads/u2/data", "sha256/cd/y");
        assertThat(driver.stat("_uploads/u2/data")).isEmpty();
        assertThat(read("sha256/cd/y", 0, 3)).isEqualTo("new".getBytes(StandardCharsets.UTF_8));
        assertThat(driver.delete("sha256/cd/y")).isTrue();
        assertThat(driver.delete("sha256/cd/y")).isFalse();
        assertThat(driver.stat("sha256/cd/y")).isEmpty();
    }

    @Test
    void aWalkSeesEveryObjectUnderItsPrefixAndDeleteAllRemovesThem() throws Exception {
        driver.put("_uploads/a/state", new byte[1]);
        driver.put("_uploads/a/data", new byte[2]);
        driver.put("_uploads/b/state", new byte[3]);
        driver.put("sha256/ef/z", new byte[4]);
        List<String> seen = new ArrayList<>();
        driver.walk("_uploads/", (path, stat) -> seen.add(path + "=" + stat.size()));
        assertThat(seen).containsExactlyInAnyOrder("_uploads/a/state=1", "_uploads/a/data=2", "_uploads/b/state=3");
        driver.deleteAll("_uploads/a/");
        seen.clear();
        driver.walk("_uploads/", (path, stat) -> seen.add(path));
        assertThat(seen).containsExactly("_uploads/b/state");
        driver.walk("nothing/", (path, stat) -> seen.add(path));
        assertThat(seen).hasSize(1);
    }

    /**
     * Appends of every kind of size, each from the session the previous one returned and through a new appender (as
     * on another node), then finished into one object.
     */
    @Test
    void appendsContinueFromTheirSessionAndFinishIntoOneObject() throws Exception {
        int[] chunks = {1, 3 << 20, (6 << 20) + 5, 0, 4095, 9 << 20, 17};
        byte[] data = random(Arrays.stream(chunks).sum(), 2);
        String session = "";
        long size = 0;
        for (int n : chunks) {
            try (StorageDriver.Appender out = driver.append("_uploads/u3/data", session, size)) {
                out.write(data, (int) size, n);
                session = out.flush();
                out.saved();
            }
            size += n;
        }
        driver.finish("_uploads/u3/data", session);
        assertThat(driver.stat("_uploads/u3/data").orElseThrow().size()).isEqualTo(data.length);
        assertThat(read("_uploads/u3/data", 0, data.length)).isEqualTo(data);
        driver.deleteAll("_uploads/u3/");
    }

    /** An append whose session was never saved did not happen: the next one, from the old session, overwrites it. */
    @Test
    void anAppendWhoseSessionWasNotSavedIsOverwritten() throws Exception {
        byte[] first = random(6 << 20, 3);
        byte[] lost = random(2 << 20, 4);
        byte[] retried = random(1 << 20, 5);
        String session;
        try (StorageDriver.Appender out = driver.append("_uploads/u4/data", "", 0)) {
            out.write(first, 0, first.length);
            session = out.flush();
            out.saved();
        }
        try (StorageDriver.Appender out = driver.append("_uploads/u4/data", session, first.length)) {
            out.write(lost, 0, lost.length);
            out.flush(); // and then the node died before saving it
        }
        try (StorageDriver.Appender out = driver.append("_uploads/u4/data", session, first.length)) {
            out.write(retried, 0, retried.length);
            session = out.flush();
            out.saved();
        }
        driver.finish("_uploads/u4/data", session);
        byte[] expected = Arrays.copyOf(first, first.length + retried.length);
        System.arraycopy(retried, 0, expected, first.length, retried.length);
        assertThat(read("_uploads/u4/data", 0, expected.length)).isEqualTo(expected);
        driver.deleteAll("_uploads/u4/");
    }

    @Test
    void anUploadWithNoBytesFinishesEmpty() throws Exception {
        driver.finish("_uploads/u5/data", "");
        assertThat(driver.stat("_uploads/u5/data").orElseThrow().size()).isZero();
        driver.abandon("_uploads/u5/data", "");
        driver.deleteAll("_uploads/u5/");
        assertThat(driver.stat("_uploads/u5/data")).isEmpty();
    }

    @Test
    void itSaysWhetherItCanTakeWork() {
        assertThat(driver.problem()).isEmpty();
    }
}
