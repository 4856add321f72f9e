package dev.wharf.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the filesystem store as it runs where direct I/O is refused: every write through the page cache. */
class FilesystemBlobStoreBufferedTest extends BlobStoreContract {
    @TempDir
    Path dir;

    @Override
    protected BlobStore newStore() {
        return new FilesystemBlobStore(dir.resolve("blobs"), false);
    }
}
