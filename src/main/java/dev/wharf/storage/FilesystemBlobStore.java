package dev.wharf.storage;

import java.nio.file.Path;

/**
 * The blob store in a local directory: the shared blob logic ({@link ContentAddressedStore}) on the filesystem
 * driver. The default store, for one node with its own data directory.
 */
public final class FilesystemBlobStore extends ContentAddressedStore {
    /** Below this much free space, pushes fail and the store reports itself unable to take work. */
    public static final long MIN_FREE_BYTES = 16L * 1024 * 1024;

    private final Path root;
    private final FilesystemDriver driver;

    public FilesystemBlobStore(Path root) {
        this(root, true);
    }

    /** With {@code tryDirectIo} false, uploads are always written through the page cache (for tests). */
    FilesystemBlobStore(Path root, boolean tryDirectIo) {
        this(root, new FilesystemDriver(root, tryDirectIo));
    }

    private FilesystemBlobStore(Path root, FilesystemDriver driver) {
        super(driver);
        this.root = root;
        this.driver = driver;
    }

    /** Whether uploads bypass the page cache (see {@link DirectIo}); false where the filesystem refuses it. */
    public boolean directIo() {
        return driver.directIo();
    }

    public Path root() {
        return root;
    }
}
