package dev.wharf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The saved sign-in: server URL, username and session token, in {@code session.json} under the config directory.
 * The file is created with mode 0600 (in a 0700 directory) and replaced atomically, so it is never readable by
 * others, not even for a moment. The password is never saved.
 */
public final class SessionStore {
    public static final String FILE_NAME = "session.json";

    /** A saved session. */
    public record Saved(String url, String username, String token) {
    }

    private final Path dir;

    public SessionStore(Path dir) {
        this.dir = dir;
    }

    public Path file() {
        return dir.resolve(FILE_NAME);
    }

    public Optional<Saved> load() {
        String text;
        try {
            text = Files.readString(file(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw CliException.api("cannot read " + file() + ": " + e.getMessage());
        }
        JsonNode node = JsonText.parseOrNull(text);
        String url = JsonText.text(node, "url");
        String username = JsonText.text(node, "username");
        String token = JsonText.text(node, "token");
        if (url == null || username == null || token == null) {
            throw CliException.api(file() + " is damaged: run `wharf login` again");
        }
        return Optional.of(new Saved(url, username, token));
    }

    public void save(Saved session) {
        Map<String, String> json = new LinkedHashMap<>();
        json.put("url", session.url());
        json.put("username", session.username());
        json.put("token", session.token());
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Path tmp = null;
        try {
            createPrivateDir(posix);
            tmp = posix
                    ? Files.createTempFile(dir, ".session-", ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".session-", ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(JsonText.pretty(json));
                w.write('\n');
            }
            try {
                Files.move(tmp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw CliException.api("cannot save the session in " + dir + ": " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file holds nothing once the write failed
                }
            }
        }
    }

    /** Removes the saved session; false when there was none. */
    public boolean delete() {
        try {
            return Files.deleteIfExists(file());
        } catch (IOException e) {
            throw CliException.api("cannot remove " + file() + ": " + e.getMessage());
        }
    }

    private void createPrivateDir(boolean posix) throws IOException {
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
        if (Files.isDirectory(dir)) {
            if (posix) {
                Files.setPosixFilePermissions(dir, owner);
            }
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (posix) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(owner));
        } else {
            Files.createDirectory(dir);
        }
    }
}
