package dev.wharf.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.registry.OciLayout;
import dev.wharf.registry.Skopeo;
import dev.wharf.testing.Backend;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser: Debian's chromium, headless, driven through Debian's chromedriver (nothing is
 * downloaded). Each flow saves a screenshot under {@code target/screenshots/}.
 */
class WebUiTest extends ServerTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private ChromeDriver browser;
    private WebDriverWait wait;

    @TempDir
    Path tmp;

    @Override
    protected Backend backend() {
        return Backend.H2;
    }

    @BeforeAll
    void startBrowser() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "SKIPPED WebUiTest: needs Debian's chromium and chromium-driver (apt-get install chromium "
                        + "chromium-driver), which .ci/run installs");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        // htmx swaps the page in place, so an element found before a swap may be gone by the time it is read.
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        wait.ignoring(StaleElementReferenceException.class);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void signedOut() {
        browser.get(server.url() + "/signin");
        browser.manage().deleteAllCookies();
    }

    @Test
    void signInCreateATokenAndPushWithTheSecretTheDialogShowsOnce() throws Exception {
        browser.get(server.url() + "/tokens");
        assertThat(browser.getCurrentUrl()).as("a page that needs a session sends the browser to sign in")
                .contains("/signin?next=%2Ftokens");
        signIn("admin", TestServer.ADMIN_PASSWORD);
        String secret = createToken("laptop", "repo:write");
        screenshot("token-created");
        assertThat(browser.findElement(By.cssSelector("#new-secret .warning")).getText()).contains("only time");

        Path image = tmp.resolve("image");
        OciLayout.write(image, "latest", List.of(OciLayout.layer(7, 40_000)));
        Skopeo.Result push = Skopeo.push(image, "latest", "127.0.0.1:" + server.port() + "/admin/webui:latest",
                "admin:" + secret);
        assertThat(push.ok()).as(push.toString()).isTrue();

        browser.get(server.url() + "/tokens");
        WebElement row = row("laptop");
        assertThat(row.getText()).contains("repo:write").contains("active").contains("from 127.0.0.1");
        assertThat(browser.getPageSource()).as("the secret is shown once only").doesNotContain(secret);
        screenshot("tokens-after-push");

        browser.findElement(By.linkText("Repositories")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Repositories of admin"));
        browser.findElement(By.linkText("webui")).click();
        WebElement pushed = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#images tr[data-digest]")));
        assertThat(pushed.getText()).contains("latest").contains("linux/amd64").contains("active");
        assertThat(browser.findElement(By.id("pull-command")).getAttribute("value"))
                .isEqualTo("docker pull 127.0.0.1:" + server.port() + "/admin/webui");
        screenshot("repository-with-image");

        pushed.findElement(By.linkText("Delete…")).click();
        WebElement preview = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("delete-preview")));
        assertThat(preview.getText()).contains("dry run").contains("1 tag deleted with it: latest")
                .contains("Tags point at it now: latest");
        assertThat(registryManifestStatus(secret, "admin/webui", "latest")).as("a preview deletes nothing")
                .isEqualTo(200);
        screenshot("delete-image-preview");
        browser.findElement(By.xpath("//button[text()='Delete this image']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("images-title"), "Images (0)"));
        assertThat(registryManifestStatus(secret, "admin/webui", "latest")).isEqualTo(404);
        screenshot("image-deleted");

        browser.findElement(By.linkText("Audit log")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Audit log of admin"));
        String log = browser.findElement(By.id("events")).getText();
        assertThat(log).contains("user.access_token.create").contains("pushed the tag latest")
                .contains("to the repository admin/webui").contains("repo.manifest.delete");
        assertThat(log).as("no secret in the audit log").doesNotContain(secret);
        new Select(browser.findElement(By.id("action"))).selectByValue("repo.manifest.delete");
        browser.findElement(By.xpath("//button[text()='Filter']")).click();
        wait.until(d -> d.findElements(By.cssSelector("#events tbody tr")).size() == 1);
        screenshot("audit-log-filtered");
        browser.findElement(By.cssSelector("#events tbody a")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "webui"));
    }

    @Test
    void aRepositorysTagsDescriptionVisibilityAndTheRepositoryItself() throws Exception {
        String secret = Sessions.newToken(server, Sessions.adminSession(server), "settings", "repo:admin");
        Path image = tmp.resolve("settings-image");
        OciLayout.write(image, "latest", List.of(OciLayout.layer(9, 20_000)));
        for (String tag : List.of("v1", "v2")) {
            Skopeo.Result push = Skopeo.push(image, "latest", "127.0.0.1:" + server.port() + "/admin/settings:" + tag,
                    "admin:" + secret);
            assertThat(push.ok()).as(push.toString()).isTrue();
        }
        signIn("admin", TestServer.ADMIN_PASSWORD);
        browser.get(server.url() + "/repositories/admin/settings");
        assertThat(browser.findElement(By.id("tags")).getText()).contains("v1").contains("v2");

        WebElement v1 = browser.findElement(By.xpath("//ul[@id='tags']/li[code[text()='v1']]"));
        v1.findElement(By.tagName("summary")).click();
        v1.findElement(By.xpath(".//button[text()='Delete the tag v1']")).click();
        wait.until(d -> d.findElements(By.xpath("//ul[@id='tags']/li[code[text()='v1']]")).isEmpty());
        assertThat(registryManifestStatus(secret, "admin/settings", "v1")).isEqualTo(404);
        assertThat(registryManifestStatus(secret, "admin/settings", "v2")).isEqualTo(200);

        WebElement description = browser.findElement(By.id("description"));
        description.clear();
        description.sendKeys("Built by the browser test");
        browser.findElement(By.xpath("//button[text()='Save']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"), "Built by the browser test"));
        new Select(browser.findElement(By.id("visibility"))).selectByValue("public");
        browser.findElement(By.xpath("//button[text()='Change']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "public"));
        assertThat(client.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/v2/namespaces/admin/repositories/settings")).build(), HttpResponse.BodyHandlers.ofString())
                .body()).as("the API sees what the page changed").contains("Built by the browser test")
                .contains("\"is_private\":false");
        screenshot("repository-settings");

        browser.findElement(By.xpath("//summary[text()='Delete this repository…']")).click();
        browser.findElement(By.id("confirm")).sendKeys("admin/wrong");
        browser.findElement(By.xpath("//button[text()='Delete the repository']")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "That did not work"));
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Type admin/settings to confirm");
        browser.get(server.url() + "/repositories/admin/settings");
        browser.findElement(By.xpath("//summary[text()='Delete this repository…']")).click();
        browser.findElement(By.id("confirm")).sendKeys("admin/settings");
        browser.findElement(By.xpath("//button[text()='Delete the repository']")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Repositories of admin"));
        assertThat(browser.findElements(By.linkText("settings"))).isEmpty();
        assertThat(registryManifestStatus(secret, "admin/settings", "v2")).isEqualTo(404);
    }

    @Test
    void administrationCreatesAndDeletesUsersRunsGarbageCollectionAndShowsThePolicy() throws Exception {
        String erin = uniqueName("erin");
        signIn("admin", TestServer.ADMIN_PASSWORD);
        browser.findElement(By.linkText("Administration")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Users"));
        browser.findElement(By.id("new-username")).sendKeys("Not A Name!");
        browser.findElement(By.id("new-password")).sendKeys("a-long-enough-password");
        browser.findElement(By.xpath("//button[text()='Create user']")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("user-error"))).getText())
                .isNotBlank();
        browser.findElement(By.id("new-username")).clear();
        browser.findElement(By.id("new-username")).sendKeys(erin);
        browser.findElement(By.id("new-password")).clear();
        browser.findElement(By.id("new-password")).sendKeys("erins-password-1234");
        browser.findElement(By.xpath("//button[text()='Create user']")).click();
        wait.until(d -> d.findElements(By.xpath("//table[@id='users']//td[text()='" + erin + "']")).size() == 1);
        screenshot("admin-users");

        browser.findElement(By.linkText("Garbage collection")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Garbage collection"));
        browser.findElement(By.xpath("//button[text()='Start']")).click();
        wait.until(d -> {
            d.navigate().refresh();
            List<WebElement> states = d.findElements(By.cssSelector("#runs tbody tr .state"));
            return !states.isEmpty() && states.get(0).getText().startsWith("succeeded");
        });
        assertThat(browser.findElement(By.cssSelector("#runs tbody tr")).getText()).contains("dry run")
                .contains("admin");
        screenshot("admin-gc");
        browser.findElement(By.cssSelector("#runs tbody tr a")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Garbage collection run"));
        assertThat(browser.findElement(By.id("run")).getText()).contains("succeeded").contains("dry run");
        // Nothing is older than the protection window here, so the run found nothing to remove.
        assertThat(browser.findElement(By.id("items-title")).getText()).isEqualTo("What it would remove (0)");
        browser.get(server.url() + "/admin/gc/not-a-run");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
        browser.get(server.url() + "/admin/gc");
        browser.findElement(By.linkText("Credential policy")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("policy"))).getText())
                .contains("Longest rotation grace window").contains("24 hours");

        browser.findElement(By.xpath("//button[text()='Sign out']")).click();
        signIn(erin, "erins-password-1234");
        assertThat(browser.findElements(By.linkText("Administration"))).isEmpty();
        browser.get(server.url() + "/admin/users");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
        Cookie erinsSession = browser.manage().getCookieNamed(WebAuth.COOKIE);
        String csrf = browser.findElement(By.cssSelector("input[name=csrf]")).getAttribute("value");
        assertThat(post("/admin/gc", erinsSession, Map.of("csrf", csrf, "dry_run", "false", "full", "true"),
                server.url()).statusCode()).as("a user cannot start a collection").isEqualTo(404);

        browser.findElement(By.xpath("//button[text()='Sign out']")).click();
        signIn("admin", TestServer.ADMIN_PASSWORD);
        browser.get(server.url() + "/admin/users");
        WebElement row = browser.findElement(By.xpath("//table[@id='users']//tr[td[1][text()='" + erin + "']]"));
        row.findElement(By.tagName("summary")).click();
        row.findElement(By.xpath(".//button[text()='Delete " + erin + "']")).click();
        wait.until(d -> d.findElements(By.xpath("//table[@id='users']//td[text()='" + erin + "']")).isEmpty());
        assertThat(get("/tokens", erinsSession).statusCode()).as("a deleted user's session ends").isEqualTo(303);
    }

    @Test
    void anOrganizationsMembersAndRobots() throws Exception {
        String org = uniqueName("acme");
        String frank = uniqueName("frank");
        Sessions.newUser(server, frank, "franks-password-1234");
        signIn("admin", TestServer.ADMIN_PASSWORD);
        browser.findElement(By.linkText("Organizations")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Organizations"));
        browser.findElement(By.id("org-name")).sendKeys(org);
        browser.findElement(By.xpath("//button[text()='Create organization']")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), org));

        browser.findElement(By.id("member-username")).sendKeys(frank);
        browser.findElement(By.xpath("//button[text()='Add member']")).click();
        WebElement member = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//table[@id='members']//tr[td[1][text()='" + frank + "']]")));
        assertThat(member.getText()).contains("member");
        new Select(member.findElement(By.id("role-" + frank))).selectByValue("editor");
        member.findElement(By.xpath(".//button[text()='Change']")).click();
        wait.until(d -> d.findElement(By.xpath("//table[@id='members']//tr[td[1][text()='" + frank + "']]/td[2]"))
                .getText().equals("editor"));

        browser.findElement(By.id("robot-label")).sendKeys("ci");
        browser.findElement(By.id("robot-repositories")).sendKeys("app-*");
        new Select(browser.findElement(By.id("robot-access"))).selectByValue("push");
        browser.findElement(By.xpath("//button[text()='Create robot']")).click();
        String secret = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret")))
                .getAttribute("value");
        screenshot("org-robot-created");
        Path image = tmp.resolve("org-image");
        OciLayout.write(image, "latest", List.of(OciLayout.layer(10, 20_000)));
        String registry = "127.0.0.1:" + server.port() + "/" + org;
        assertThat(Skopeo.push(image, "latest", registry + "/app-one:latest", org + ":" + secret).ok())
                .as("the robot pushes where its resource allows").isTrue();
        assertThat(Skopeo.push(image, "latest", registry + "/other:latest", org + ":" + secret).ok())
                .as("and nowhere else").isFalse();

        browser.findElement(By.xpath("//button[text()='Sign out']")).click();
        signIn(frank, "franks-password-1234");
        browser.get(server.url() + "/orgs/" + org);
        assertThat(browser.findElement(By.id("members")).getText()).contains(frank).contains("admin");
        assertThat(browser.findElements(By.id("robots-title"))).as("only owners see the robots").isEmpty();
        Cookie franksSession = browser.manage().getCookieNamed(WebAuth.COOKIE);
        String csrf = browser.findElement(By.cssSelector("input[name=csrf]")).getAttribute("value");
        assertThat(post("/orgs/" + org + "/members", franksSession, Map.of("csrf", csrf, "username", "admin",
                "role", "member"), server.url()).statusCode()).isEqualTo(403);

        browser.findElement(By.xpath("//button[text()='Sign out']")).click();
        signIn("admin", TestServer.ADMIN_PASSWORD);
        browser.get(server.url() + "/orgs/" + org);
        WebElement robot = browser.findElement(By.xpath("//table[@id='robots']//tr[td[1][text()='ci']]"));
        assertThat(robot.getText()).contains(org + "/app-*").contains("pull, push").contains("active");
        robot.findElement(By.tagName("summary")).click();
        robot.findElement(By.xpath(".//button[text()='Delete ci']")).click();
        wait.until(d -> d.findElements(By.id("robots")).isEmpty());
        assertThat(Skopeo.push(image, "latest", registry + "/app-two:latest", org + ":" + secret).ok())
                .as("a deleted robot pushes nothing").isFalse();
        WebElement removed = browser.findElement(By.xpath("//table[@id='members']//tr[td[1][text()='" + frank
                + "']]"));
        removed.findElement(By.xpath(".//summary[text()='Remove…']")).click();
        removed.findElement(By.xpath(".//button[text()='Remove " + frank + "']")).click();
        wait.until(d -> d.findElements(By.xpath("//table[@id='members']//td[text()='" + frank + "']")).isEmpty());
        screenshot("org-members");
    }

    @Test
    void aTeamsPermissionLetsItsMembersPushAndTheOrgsSettingsAndImmutableTagsHold() throws Exception {
        String org = uniqueName("teams");
        String gina = uniqueName("gina");
        String ginasSecret = Sessions.newToken(server, Sessions.newUser(server, gina, "ginas-password-1234"), "push",
                "repo:write");
        String adminSecret = Sessions.newToken(server, Sessions.adminSession(server), "teams", "repo:admin");
        Path image = tmp.resolve("team-image");
        OciLayout.write(image, "latest", List.of(OciLayout.layer(11, 20_000)));
        String app = "127.0.0.1:" + server.port() + "/" + org + "/app";
        signIn("admin", TestServer.ADMIN_PASSWORD);
        browser.get(server.url() + "/orgs");
        browser.findElement(By.id("org-name")).sendKeys(org);
        browser.findElement(By.xpath("//button[text()='Create organization']")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), org));
        browser.findElement(By.id("member-username")).sendKeys(gina);
        browser.findElement(By.xpath("//button[text()='Add member']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//table[@id='members']//tr[td[1][text()='" + gina + "']]")));
        assertThat(Skopeo.push(image, "latest", app + ":v1", "admin:" + adminSecret).ok()).isTrue();
        assertThat(Skopeo.push(image, "latest", app + ":v2", gina + ":" + ginasSecret).ok())
                .as("a member only pulls").isFalse();

        browser.findElement(By.partialLinkText("Teams (0)")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Teams of " + org));
        browser.findElement(By.id("team-name")).sendKeys("builders");
        browser.findElement(By.id("team-description")).sendKeys("They push the app");
        browser.findElement(By.xpath("//button[text()='Create team']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "builders"));
        browser.findElement(By.id("team-member")).sendKeys("nobody-" + gina);
        browser.findElement(By.xpath("//button[text()='Add to team']")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("team-error"))).getText())
                .contains("not a member of " + org);
        browser.findElement(By.id("team-member")).sendKeys(gina);
        browser.findElement(By.xpath("//button[text()='Add to team']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("team-members"), gina));
        browser.findElement(By.id("grant-repository")).sendKeys("app");
        new Select(browser.findElement(By.id("grant-permission"))).selectByValue("write");
        browser.findElement(By.xpath("//button[text()='Grant']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("permissions"), org + "/app"));
        assertThat(browser.findElement(By.id("permissions")).getText()).contains("write");
        screenshot("team");
        assertThat(Skopeo.push(image, "latest", app + ":v2", gina + ":" + ginasSecret).ok())
                .as("the team's write permission lets its member push").isTrue();

        browser.get(server.url() + "/repositories/" + org + "/app");
        browser.findElement(By.id("immutable-enabled")).click();
        browser.findElement(By.id("immutable-rules")).sendKeys("v1");
        saveAndWait("Save immutable tags");
        assertThat(browser.findElement(By.id("immutable-enabled")).isSelected()).isTrue();
        assertThat(browser.findElement(By.id("immutable-rules")).getAttribute("value")).isEqualTo("v1");
        WebElement v1 = browser.findElement(By.xpath("//ul[@id='tags']/li[code[text()='v1']]"));
        v1.findElement(By.tagName("summary")).click();
        v1.findElement(By.xpath(".//button[text()='Delete the tag v1']")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Not allowed"));
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("immutable");
        assertThat(registryManifestStatus(adminSecret, org + "/app", "v1")).isEqualTo(200);

        browser.get(server.url() + "/orgs/" + org);
        browser.findElement(By.id("restricted-enabled")).click();
        browser.findElement(By.id("restricted-official")).click();
        saveAndWait("Save settings");
        assertThat(browser.findElement(By.id("restricted-enabled")).isSelected()).isTrue();
        assertThat(browser.findElement(By.id("restricted-official")).isSelected()).isFalse();
        assertThat(browser.findElement(By.id("restricted-verified")).isSelected()).isTrue();
        assertThat(server.http().bearer(Sessions.adminSession(server)).get("/v2/orgs/" + org + "/settings").body())
                .as("the API sees what the page saved").contains("\"enabled\":true")
                .contains("\"allow_official_images\":false");
        screenshot("org-settings");
        // The admin is in the organization, and the other tests pull from the admin's own namespace.
        browser.findElement(By.id("restricted-enabled")).click();
        saveAndWait("Save settings");
        assertThat(browser.findElement(By.id("restricted-enabled")).isSelected()).isFalse();
        assertThat(server.http().bearer(Sessions.adminSession(server)).get("/v2/orgs/" + org + "/settings").body())
                .contains("\"enabled\":false");

        browser.get(server.url() + "/orgs/" + org + "/teams/builders");
        browser.findElement(By.xpath("//summary[text()='Delete this team…']")).click();
        browser.findElement(By.xpath("//button[text()='Delete builders']")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Teams of " + org));
        assertThat(Skopeo.push(image, "latest", app + ":v3", gina + ":" + ginasSecret).ok())
                .as("a deleted team's permission is gone").isFalse();
    }

    @Test
    void theKeyboardAloneSignsInAndMakesATokenAndEveryPageFits320PixelsWide() throws Exception {
        String org = uniqueName("narrow");
        String secret = Sessions.newToken(server, Sessions.adminSession(server), "narrow", "repo:admin");
        Path image = tmp.resolve("narrow-image");
        OciLayout.write(image, "latest", List.of(OciLayout.layer(12, 20_000)));
        assertThat(Skopeo.push(image, "latest", "127.0.0.1:" + server.port() + "/admin/" + org
                + "-a-rather-long-repository-name:a-rather-long-tag-name-too", "admin:" + secret).ok()).isTrue();
        browser.manage().window().setSize(new Dimension(320, 800));
        try {
            browser.get(server.url() + "/signin");
            assertThat(((Number) browser.executeScript("return window.innerWidth;")).intValue()).isEqualTo(320);
            typeInto("username", "admin");
            typeInto("password", TestServer.ADMIN_PASSWORD + Keys.ENTER);
            wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Personal access tokens"));
            typeInto("label", "typed" + Keys.ENTER);
            assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret"))).getAttribute("value"))
                    .isNotBlank();
            screenshot("narrow-token-created");
            browser.get(server.url() + "/orgs");
            typeInto("org-name", org + Keys.ENTER);
            wait.until(ExpectedConditions.textToBe(By.tagName("h1"), org));
            browser.get(server.url() + "/orgs/" + org + "/teams");
            typeInto("team-name", "narrowers" + Keys.ENTER);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "narrowers"));

            for (String path : List.of("/signin", "/tokens", "/repositories/admin",
                    "/repositories/admin/" + org + "-a-rather-long-repository-name", "/orgs", "/orgs/" + org,
                    "/orgs/" + org + "/teams", "/orgs/" + org + "/teams/narrowers", "/audit/admin", "/admin/users",
                    "/admin/gc", "/admin/policy", "/no/such/page")) {
                browser.get(server.url() + path);
                long overflow = ((Number) browser.executeScript(
                        "return document.documentElement.scrollWidth - window.innerWidth;")).longValue();
                assertThat(overflow).as("how far %s spills past 320 px", path).isLessThanOrEqualTo(0);
            }
            browser.get(server.url() + "/repositories/admin/" + org + "-a-rather-long-repository-name");
            screenshot("narrow-repository");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    /** Submits the form of the button with this text and waits for the page that answers it to replace this one. */
    private void saveAndWait(String button) {
        WebElement save = browser.findElement(By.xpath("//button[text()='" + button + "']"));
        save.click();
        wait.until(ExpectedConditions.stalenessOf(save));
    }

    /** Moves the focus with the Tab key alone until it reaches the field, then types there. */
    private void typeInto(String id, CharSequence text) {
        Actions keys = new Actions(browser);
        for (int presses = 0; !id.equals(browser.switchTo().activeElement().getAttribute("id")); presses++) {
            assertThat(presses).as("Tab presses to reach #%s", id).isLessThan(60);
            keys.sendKeys(Keys.TAB).perform();
        }
        keys.sendKeys(text).perform();
    }

    @Test
    void anotherUsersPrivateRepositoryIsNotFound() throws Exception {
        String carol = uniqueName("carol");
        String carolSession = Sessions.newUser(server, carol, "carols-password-1234");
        String carolSecret = Sessions.newToken(server, carolSession, "push", "repo:write");
        Path image = tmp.resolve("carol-image");
        OciLayout.write(image, "latest", List.of(OciLayout.layer(8, 30_000)));
        Skopeo.Result push = Skopeo.push(image, "latest", "127.0.0.1:" + server.port() + "/" + carol
                + "/secret:latest", carol + ":" + carolSecret);
        assertThat(push.ok()).as(push.toString()).isTrue();
        String bob = uniqueName("dave");
        Sessions.newUser(server, bob, "daves-password-1234");

        signIn(bob, "daves-password-1234");
        browser.get(server.url() + "/repositories/" + carol + "/secret");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
        browser.get(server.url() + "/repositories/" + carol);
        assertThat(browser.findElements(By.linkText("secret"))).as("private repositories are not listed").isEmpty();
        screenshot("private-repository-not-found");
    }

    @Test
    void anAccessTokenIsRefusedAtSignIn() throws Exception {
        String secret = Sessions.newToken(server, Sessions.adminSession(server), "not-for-the-ui", "repo:read");
        browser.get(server.url() + "/signin");
        fillSignIn("admin", secret);
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-error")));
        assertThat(error.getText()).contains("Access tokens cannot be used to sign in");
        assertThat(browser.manage().getCookieNamed(WebAuth.COOKIE)).isNull();
        screenshot("token-refused-at-sign-in");
    }

    @Test
    void formsWithoutTheSessionsTokenOrFromAnotherSiteAreRefused() throws Exception {
        signIn("admin", TestServer.ADMIN_PASSWORD);
        Cookie session = browser.manage().getCookieNamed(WebAuth.COOKIE);
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        String csrf = browser.findElement(By.cssSelector("form[action='/tokens'] input[name=csrf]"))
                .getAttribute("value");

        HttpResponse<String> noToken = post("/tokens", session, Map.of("label", "forged", "scope", "repo:admin",
                "lifetime", "30"), null);
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(noToken.body()).contains("<h1>Not allowed</h1>").contains("not sent from this site");
        HttpResponse<String> otherSite = post("/tokens", session, Map.of("csrf", csrf, "label", "forged",
                "scope", "repo:admin", "lifetime", "30"), "https://evil.example");
        assertThat(otherSite.statusCode()).isEqualTo(403);
        HttpResponse<String> genuine = post("/tokens", session, Map.of("csrf", csrf, "label", "genuine",
                "scope", "repo:read", "lifetime", "30"), server.url());
        assertThat(genuine.statusCode()).isEqualTo(200);
        assertThat(genuine.body()).contains("id=\"secret\"");

        browser.get(server.url() + "/tokens");
        assertThat(browser.findElements(By.xpath("//td[text()='forged']"))).isEmpty();
        HttpResponse<String> page = get("/tokens", session);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(Pages.CONTENT_SECURITY_POLICY);
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
        assertThat(page.body()).doesNotContain("<script>").doesNotContain(" onclick=");
        screenshot("csrf-refused");
    }

    @Test
    void aDeactivatedTokenStopsWorkingAndADeletedOneIsGone() throws Exception {
        signIn("admin", TestServer.ADMIN_PASSWORD);
        String secret = createToken("short-lived", "repo:read");
        assertThat(registryStatus(secret)).isEqualTo(200);
        browser.get(server.url() + "/tokens");

        row("short-lived").findElement(By.xpath(".//button[text()='Deactivate']")).click();
        wait.until(d -> row("short-lived").findElement(By.className("state")).getText().equals("inactive"));
        assertThat(registryStatus(secret)).isEqualTo(401);

        WebElement row = row("short-lived");
        row.findElement(By.xpath(".//summary[text()='Delete…']")).click();
        WebElement delete = row.findElement(By.xpath(".//button[contains(text(), 'Delete “short-lived”')]"));
        screenshot("delete-confirmation");
        delete.click();
        wait.until(d -> d.findElements(By.xpath("//td[text()='short-lived']")).isEmpty());
        assertThat(registryStatus(secret)).isEqualTo(401);
        screenshot("token-deleted");
    }

    @Test
    void rotatingKeepsTheOldSecretForTheGraceWindow() throws Exception {
        signIn("admin", TestServer.ADMIN_PASSWORD);
        String old = createToken("rotating", "repo:read");
        browser.get(server.url() + "/tokens");
        row("rotating").findElement(By.linkText("Rotate…")).click();
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Rotate “rotating”"));
        new Select(browser.findElement(By.id("grace"))).selectByValue("1");
        browser.findElement(By.xpath("//button[text()='Rotate']")).click();
        String rotated = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret")))
                .getAttribute("value");
        assertThat(rotated).isNotEqualTo(old);
        assertThat(registryStatus(rotated)).isEqualTo(200);
        assertThat(registryStatus(old)).as("the old secret works through the grace window").isEqualTo(200);
        browser.get(server.url() + "/tokens");
        assertThat(browser.findElements(By.xpath("//table[@id='tokens']//tr[td[1][text()='rotating']]"))
                .stream().map(WebElement::getText)).anyMatch(t -> t.contains("rotated, works until"));
    }

    @Test
    void anotherUsersTokenCannotBeTouched() throws Exception {
        String bob = uniqueName("bob");
        String bobSession = Sessions.newUser(server, bob, "bobs-password-1234");
        String bobSecret = Sessions.newToken(server, bobSession, "bobs", "repo:read");
        String bobUuid = server.http().bearer(bobSession).get("/v2/access-tokens").json().get("results").get(0)
                .get("uuid").asText();

        signIn("admin", TestServer.ADMIN_PASSWORD);
        Cookie session = browser.manage().getCookieNamed(WebAuth.COOKIE);
        String csrf = browser.findElement(By.cssSelector("input[name=csrf]")).getAttribute("value");
        for (String action : List.of("deactivate", "rotate", "delete")) {
            HttpResponse<String> r = post("/tokens/" + bobUuid + "/" + action, session,
                    Map.of("csrf", csrf, "grace", "0", "lifetime", "30"), server.url());
            assertThat(r.statusCode()).as(action).isEqualTo(404);
        }
        assertThat(registryStatus(bob, bobSecret)).isEqualTo(200);
        screenshot("foreign-token-refused");
    }

    @Test
    void signingOutEndsTheSessionOnTheServer() throws Exception {
        signIn("admin", TestServer.ADMIN_PASSWORD);
        Cookie session = browser.manage().getCookieNamed(WebAuth.COOKIE);
        assertThat(get("/tokens", session).statusCode()).isEqualTo(200);
        browser.findElement(By.xpath("//button[text()='Sign out']")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        HttpResponse<String> after = get("/tokens", session);
        assertThat(after.statusCode()).as("the old cookie no longer signs in").isEqualTo(303);
        assertThat(after.headers().firstValue("Location")).hasValue("/signin?next=%2Ftokens");
        screenshot("signed-out");
    }

    private void signIn(String username, String password) {
        browser.get(server.url() + "/signin");
        fillSignIn(username, password);
        wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Personal access tokens"));
    }

    private void fillSignIn(String username, String password) {
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.xpath("//button[text()='Sign in']")).click();
    }

    /** Creates a token through the form and returns the secret its dialog shows. */
    private String createToken(String label, String scope) {
        browser.findElement(By.id("label")).sendKeys(label);
        new Select(browser.findElement(By.id("scope"))).selectByValue(scope);
        browser.findElement(By.xpath("//button[text()='Generate']")).click();
        WebElement secret = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret")));
        assertThat(browser.findElement(By.id("new-secret-title")).getText()).contains(label);
        return secret.getAttribute("value");
    }

    private WebElement row(String label) {
        return wait.until(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//table[@id='tokens']//tr[td[1][text()='" + label + "']]")));
    }

    private int registryStatus(String secret) throws Exception {
        return registryStatus("admin", secret);
    }

    private int registryStatus(String user, String secret) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + "/v2/"))
                .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private int registryManifestStatus(String secret, String repository, String tag) throws Exception {
        String basic = Base64.getEncoder().encodeToString(("admin:" + secret).getBytes(StandardCharsets.UTF_8));
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + "/v2/" + repository + "/manifests/" + tag))
                .header("Authorization", "Basic " + basic)
                .header("Accept", "application/vnd.oci.image.manifest.v1+json")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private HttpResponse<String> get(String path, Cookie session) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Cookie", session.getName() + "=" + session.getValue()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, Cookie session, Map<String, String> form, String origin)
            throws Exception {
        String body = form.entrySet().stream().map(e -> e.getKey() + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Cookie", session.getName() + "=" + session.getValue())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void screenshot(String name) throws IOException {
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
    }
}
