package dev.wharf.core;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories that only the server's own user may read: directories 0700, files 0600, whatever the
 * process's umask. The data directory holds the database and the blobs of private repositories.
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTRIBUTE =
            PosixFilePermissions.asFileAttribute(FILE);

    private PrivateFiles() {
    }

    /** Creates {@code dir} and any missing parents below {@code root}, each 0700; an existing {@code dir} is kept. */
    public static Path directories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            directories(parent);
        }
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, DIRECTORY);
        } catch (FileAlreadyExistsException raced) {
            // created meanwhile by another thread or process
        }
        return dir;
    }

    /** Creates an empty file, 0600. */
    public static Path file(Path file) throws IOException {
        Files.createFile(file, FILE_ATTRIBUTE);
        Files.setPosixFilePermissions(file, FILE);
        return file;
    }

    /** Makes an existing directory 0700 (for a data directory made before this rule, or by hand). */
    public static void restrictDirectory(Path dir) throws IOException {
        if (!Files.getPosixFilePermissions(dir).equals(DIRECTORY)) {
            Files.setPosixFilePermissions(dir, DIRECTORY);
        }
    }

    /** Makes an existing file 0600. */
    public static void restrictFile(Path file) throws IOException {
        if (!Files.getPosixFilePermissions(file).equals(FILE)) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }
}
