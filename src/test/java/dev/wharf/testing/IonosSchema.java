package dev.wharf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Validates responses against IONOS's own OpenAPI file for the Container Registry API 1.0
 * ({@code src/test/resources/specs/ionos-containerregistry-api-1.0.yaml}, a copy of {@code shared/specs}), whose
 * paths are relative to the server's base path {@code /containerregistries}. The spec's known gaps are patched here,
 * never in the server; each patch says why.
 */
public final class IonosSchema {
    public static final String BASE_PATH = "/containerregistries";
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createFor(patchedSpec())
            .build();

    private IonosSchema() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // the parser's API hands out raw schemas
    private static OpenAPI patchedSpec() {
        String yaml;
        try {
            yaml = Files.readString(Path.of("src/test/resources/specs/ionos-containerregistry-api-1.0.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OpenAPI api = new OpenAPIV3Parser().readContents(yaml).getOpenAPI();
        // The servers entry is IONOS's production host; Wharf serves the same base path on its own host, and
        // assertValid strips the base path itself.
        api.setServers(null);
        Map<String, Schema> schemas = api.getComponents().getSchemas();
        // apiSubnetAllowList came with API 1.2 (ionos-cloud/sdk-go-container-registry models: string[] of IPs and
        // CIDRs); the 1.0 file predates it, and the issue requires it, so it is declared as the newer API has it.
        Schema allowList = new ArraySchema().items(new StringSchema());
        schemas.get("RegistryProperties").getProperties().put("apiSubnetAllowList", allowList);
        return api;
    }

    /**
     * Asserts that the response matches the spec's definition of this operation and status. Where the spec lists no
     * such status for the operation (it documents only 400 and sometimes 404 and 409, never 401, 403 or 405), the
     * body must still be the spec's {@code ApiErrorResponse}.
     */
    public static Http.Response assertValid(Http.Response r) {
        String path = r.path().contains("?") ? r.path().substring(0, r.path().indexOf('?')) : r.path();
        assertThat(path).startsWith(BASE_PATH);
        path = path.substring(BASE_PATH.length());
        if (r.status() >= 400 && !r.method().equals("HEAD")) {
            assertErrorBody(r);
        }
        SimpleResponse.Builder b = SimpleResponse.Builder.status(r.status());
        if (r.body() != null && !r.body().isEmpty()) {
            b.withBody(r.body()).withContentType(r.header("Content-Type"));
        }
        ValidationReport report = VALIDATOR.validateResponse(path, Request.Method.valueOf(r.method()), b.build());
        boolean undocumented = report.getMessages().stream()
                .anyMatch(m -> m.getKey().equals("validation.response.status.unknown")
                        || m.getKey().equals("validation.request.path.missing")
                        || m.getKey().equals("validation.request.operation.notAllowed"));
        if (undocumented) {
            assertThat(r.status()).as("undocumented status of %s", r).isBetween(400, 499);
            return r;
        }
        String problems = report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                // A HEAD response has no body, although the spec gives 404 on HEAD /names one.
                .filter(m -> !(r.method().equals("HEAD") && m.getKey().startsWith("validation.response.body")))
                .map(IonosSchema::describe)
                .collect(Collectors.joining("\n"));
        assertThat(problems).as("schema validation of %s", r).isEmpty();
        return r;
    }

    /** The spec's {@code ApiErrorResponse}, with the response's own status in it. */
    public static void assertErrorBody(Http.Response r) {
        JsonNode body = r.json();
        assertThat(body.path("httpStatus").asInt()).as("httpStatus of %s", r).isEqualTo(r.status());
        assertThat(body.path("messages").isArray()).as("messages of %s", r).isTrue();
        assertThat(body.path("messages").size()).as("messages of %s", r).isPositive();
        for (JsonNode m : body.path("messages")) {
            assertThat(m.path("errorCode").isTextual()).as("errorCode in %s", r).isTrue();
            assertThat(m.path("message").isTextual()).as("message in %s", r).isTrue();
        }
    }

    private static String describe(ValidationReport.Message m) {
        String nested = m.getNestedMessages().stream().map(IonosSchema::describe).collect(Collectors.joining("; "));
        return m.getKey() + ": " + m.getMessage() + (nested.isEmpty() ? "" : " [" + nested + "]");
    }
}
