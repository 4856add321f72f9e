package dev.wharf.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the filesystem store, plus what only a filesystem can show: the layout and restart behaviour. */
class FilesystemBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path dir;

    @Override
    protected BlobStore newStore() throws IOException {
        return new FilesystemBlobStore(dir.resolve("blobs"));
    }

    /** Local disk filesystems take direct writes; if the probe stopped recognising them, uploads would slow down. */
    @Test
    void uploadsBypassThePageCacheOnLocalDiskFilesystems() throws Exception {
        String type = Files.getFileStore(dir).type();
        assumeTrue(type.equals("ext4") || type.equals("xfs"), "temp dir is on " + type);
        assertThat(((FilesystemBlobStore) store).directIo()).isTrue();
    }

    @Test
    void committedBlobsAreContentAddressed() throws Exception {
        byte[] data = random(1234, 20);
        Digest d = put(data);
        Path expected = dir.resolve("blobs/sha256").resolve(d.hex().substring(0, 2)).resolve(d.hex());
        assertThat(Files.readAllBytes(expected)).isEqualTo(data);
        try (Stream<Path> uploads = Files.list(dir.resolve("blobs/_uploads"))) {
            assertThat(uploads).isEmpty();
        }
    }

    /** The first chunk ends mid-block (1,100,000 is not a multiple of 4096), as a direct-I/O store must handle. */
    @Test
    void anUploadResumesInANewStoreInstanceAsAfterARestart() throws Exception {
        byte[] data = random(2_000_000, 21);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(data, 0, 1_100_000));
        BlobStore restarted = new FilesystemBlobStore(dir.resolve("blobs"));
        assertThat(restarted.uploadSize(id)).hasValue(1_100_000);
        restarted.append(id, 1_100_000, new ByteArrayInputStream(data, 1_100_000, 900_000));
        Digest d = digestOf(data);
        restarted.commit(id, d);
        assertThat(store.size(d)).hasValue(data.length);
    }
}
