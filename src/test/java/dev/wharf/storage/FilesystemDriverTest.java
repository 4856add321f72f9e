package dev.wharf.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FilesystemDriverTest extends StorageDriverContract {
    @TempDir
    Path dir;

    @Override
    protected StorageDriver newDriver() {
        return new FilesystemDriver(dir.resolve("blobs"), true);
    }
}
