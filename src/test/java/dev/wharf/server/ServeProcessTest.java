package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wharf serve} as a real process: first-start admin, readiness, and a graceful drain on SIGTERM. */
class ServeProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

    @TempDir
    Path dataDir;
    private Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private int start(String adminPassword) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.wharf.Main", "serve",
                "--port", "0", "--bind", "127.0.0.1", "--data-dir", dataDir.toString(),
                // a drain period would outlast the 1 s idle timeout the SIGTERM test is about
                "--drain-period", "0s").redirectErrorStream(true);
        pb.environment().remove("WHARF_ADMIN_PASSWORD");
        if (adminPassword != null) {
            pb.environment().put("WHARF_ADMIN_PASSWORD", adminPassword);
        }
        long started = System.nanoTime();
        process = pb.start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        int port = -1;
        while (port < 0) {
            String line = reader.readLine();
            assertThat(line).as("server output ended early: %s", output).isNotNull();
            output.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
        }
        Thread pump = new Thread(() -> reader.lines().forEach(output::add));
        pump.setDaemon(true);
        pump.start();
        assertThat(status(port, "/healthz")).isEqualTo(200);
        System.out.printf("wharf serve: /healthz answered 200 %d ms after process start%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return port;
    }

    @Test
    void firstStartPrintsAGeneratedAdminPasswordOnceAndNeverAgain() throws Exception {
        start(null);
        List<String> announced = output.stream().filter(l -> l.contains("with the password:")).toList();
        assertThat(announced).hasSize(1);
        String password = announced.get(0).substring(announced.get(0).lastIndexOf(' ') + 1);
        assertThat(password).hasSizeGreaterThanOrEqualTo(20);
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        output.clear();
        int port = start(null);
        assertThat(String.join("\n", output)).doesNotContain(password).doesNotContain("with the password");
        assertThat(login(port, "admin", password)).isEqualTo(200);
        try (var files = Files.walk(dataDir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                if (p.toString().endsWith(".log") || p.toString().endsWith(".txt")) {
                    assertThat(Files.readString(p)).doesNotContain(password);
                }
            }
        }
    }

    @Test
    void sigtermLetsAnInFlightRequestFinishThenExits() throws Exception {
        int port = start("graceful-admin-password");
        try (Socket socket = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            String body = "{\"username\":\"admin\",\"password\":\"graceful-admin-password\"}";
            out.write(("POST /v2/users/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.write(body.substring(0, 10).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(300);

            process.destroy(); // SIGTERM
            Thread.sleep(2500); // longer than Jetty's default 1 s shutdown idle timeout
            assertThat(process.isAlive()).as("still draining the in-flight request").isTrue();

            out.write(body.substring(10).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200").contains("\"token\"");
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("a clean stop on SIGTERM").isZero();
    }

    @Test
    void aCommitSurvivesKillNineRightAfterIt() throws Exception {
        int port = start("crash-admin-password");
        String session = post(port, "/v2/users/login", null,
                "{\"username\":\"admin\",\"password\":\"crash-admin-password\"}").replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        post(port, "/api/v1/users", session, "{\"username\":\"durable1\",\"password\":\"durable-password\"}");
        process.destroyForcibly(); // at once: no write-behind delay may pass between the 201 and the kill
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        port = start("crash-admin-password");
        assertThat(login(port, "durable1", "durable-password")).isEqualTo(200);
    }

    /** POSTs JSON and returns the body; fails unless the answer is 2xx. */
    private static String post(int port, String path, String bearer, String json) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                .openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        if (bearer != null) {
            c.setRequestProperty("Authorization", "Bearer " + bearer);
        }
        c.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
        assertThat(c.getResponseCode()).as(path).isBetween(200, 299);
        return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static int status(int port, String path) throws Exception {
        for (int i = 0; i < 100; i++) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                        .openConnection();
                int code = c.getResponseCode();
                if (code == 200) {
                    return code;
                }
            } catch (IOException e) {
                // not ready yet
            }
            Thread.sleep(100);
        }
        return -1;
    }

    private static int login(int port, String user, String password) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/v2/users/login").toURL()
                .openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        c.getOutputStream().write(("{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return c.getResponseCode();
    }
}
