package dev.wharf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Validates responses against Docker's own OpenAPI file ({@code src/test/resources/specs/dockerhub-api.yaml}, a copy
 * of {@code shared/specs}). The spec's known mistakes are patched here, never in the server: Docker Hub returns
 * {@code null} for {@code next}/{@code previous} on the last page and for {@code expires_at} on a token that never
 * expires, although the spec types them as plain strings.
 */
public final class HubSchema {
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createFor(patchedSpec())
            .build();

    private HubSchema() {
    }

    private static OpenAPI patchedSpec() {
        String yaml;
        try {
            yaml = Files.readString(Path.of("src/test/resources/specs/dockerhub-api.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // ValueError.fields is declared as an object with "items", which parsers read as an array; Hub sends
        // {"fields": {"<field>": ["<message>"]}}.
        String wrongFields = """
                        fields:
                          type: object
                          items:
                            type: string
                """;
        assertThat(yaml).contains(wrongFields);
        yaml = yaml.replace(wrongFields, """
                        fields:
                          type: object
                          additionalProperties:
                            type: array
                            items:
                              type: string
                """);
        OpenAPI api = new OpenAPIV3Parser().readContents(yaml).getOpenAPI();
        @SuppressWarnings("rawtypes") // the parser's API hands out raw schemas
        Map<String, Schema> schemas = api.getComponents().getSchemas();
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<String, Schema> list = schemas.get("getAccessTokensResponse").getProperties();
        list.get("next").setNullable(true);
        list.get("previous").setNullable(true);
        ((Schema<?>) schemas.get("accessToken").getProperties().get("expires_at")).setNullable(true);
        // The redacted-token responses are allOf(accessToken, {token: string}); the validator checks each allOf part
        // on its own and rejects the other part's properties, so the equivalent plain reference is used instead.
        Schema<?> token = new Schema<>().$ref("#/components/schemas/accessToken");
        list.put("results", new io.swagger.v3.oas.models.media.ArraySchema().items(token));
        api.getPaths().get("/v2/access-tokens/{uuid}").getGet().getResponses().get("200").getContent()
                .get("application/json").setSchema(token);
        // The org-access-token list has the same nullable links; its item, create and update responses are allOf
        // compositions that the validator rejects in the same way, so each is replaced by the merged object.
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<String, Schema> orgList = schemas.get("getOrgAccessTokensResponse").getProperties();
        orgList.get("next").setNullable(true);
        orgList.get("previous").setNullable(true);
        for (String composed : List.of("getOrgAccessTokenResponse", "createOrgAccessTokenResponse",
                "updateOrgAccessTokenResponse")) {
            schemas.put(composed, merged(schemas, schemas.get(composed)));
        }
        // PATCH validates label and resources as POST does, and the list validates page and page_size as the PAT
        // list does, but the spec lists no 400 for either.
        io.swagger.v3.oas.models.PathItem orgTokens = api.getPaths().get("/v2/orgs/{name}/access-tokens");
        io.swagger.v3.oas.models.responses.ApiResponse badRequest = orgTokens.getPost().getResponses().get("400");
        orgTokens.getGet().getResponses().addApiResponse("400", badRequest);
        api.getPaths().get("/v2/orgs/{org_name}/access-tokens/{access_token_id}").getPatch().getResponses()
                .addApiResponse("400", badRequest);
        // PUT org settings validates its required booleans, but the spec lists no 400 for it.
        api.getPaths().get("/v2/orgs/{name}/settings").getPut().getResponses().addApiResponse("400",
                api.getComponents().getResponses().get("BadRequest"));
        patchRepositories(schemas);
        // The repository routes answer validation errors as ValueError {fields, text}: the spec's own example of the
        // list's 400 is one, though it names the error schema. The tag list validates its paging as the repository
        // list does, but the spec lists no 400 for it.
        io.swagger.v3.oas.models.responses.ApiResponse valueError = new io.swagger.v3.oas.models.responses
                .ApiResponse().description("Bad Request").content(new io.swagger.v3.oas.models.media.Content()
                .addMediaType("application/json", new io.swagger.v3.oas.models.media.MediaType()
                        .schema(new Schema<>().$ref("#/components/schemas/ValueError"))));
        String repositories = "/v2/namespaces/{namespace}/repositories";
        String repository = repositories + "/{repository}";
        api.getPaths().get(repositories).getGet().getResponses().addApiResponse("400", valueError);
        api.getPaths().get(repositories).getPost().getResponses().addApiResponse("400", valueError);
        api.getPaths().get(repository + "/tags").getGet().getResponses().addApiResponse("400", valueError);
        api.getPaths().get(repository + "/immutabletags").getPatch().getResponses().addApiResponse("400", valueError);
        api.getPaths().get(repository + "/immutabletags/verify").getPost().getResponses()
                .addApiResponse("400", valueError);
        patchOrgMembersAndGroups(api, schemas);
        return api;
    }

    /**
     * The repository listings have the same nullable links and allOf pages, merged as above. The spec's {@code tag}
     * is the old shape: Docker Hub returns {@code images} as an array of platform images whose {@code variant} and
     * {@code os_version} are null when the platform has none, {@code v2} as a boolean, the status as
     * {@code tag_status} (the newer [3.2] spec says so too), and the tagged manifest's {@code digest}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void patchRepositories(Map<String, Schema> schemas) {
        for (String page : List.of("list_repositories_response", "paginated_tags")) {
            Schema<?> merged = merged(schemas, schemas.get(page));
            ((Schema<?>) merged.getProperties().get("next")).setNullable(true);
            ((Schema<?>) merged.getProperties().get("previous")).setNullable(true);
            schemas.put(page, merged);
        }
        Map<String, Schema> image = schemas.get("image").getProperties();
        image.get("variant").setNullable(true);
        image.get("os_version").setNullable(true);
        Map<String, Schema> tag = schemas.get("tag").getProperties();
        tag.put("images", new io.swagger.v3.oas.models.media.ArraySchema()
                .items(new Schema<>().$ref("#/components/schemas/image")));
        tag.put("v2", new io.swagger.v3.oas.models.media.BooleanSchema());
        tag.remove("status");
        tag.put("digest", new io.swagger.v3.oas.models.media.StringSchema());
        tag.put("tag_status", new io.swagger.v3.oas.models.media.StringSchema()._enum(List.of("active", "inactive")));
    }

    /**
     * The members and groups routes. The member list's 200 is typed as an array of pages where Hub sends one page;
     * {@code org_member} is allOf(user) plus its own properties (merged, as above), and its role enum lacks
     * {@code Editor}, a role Hub has had since 2024; the group lists' links are nullable like every other list's.
     * Their validation errors are Hub's {@code ValueError {fields, text}}, where the spec names its generic
     * {@code error} for some 400s and lists no 400 for the others (group PUT, PATCH, the group lists, member POST).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void patchOrgMembersAndGroups(OpenAPI api, Map<String, Schema> schemas) {
        Schema member = schemas.get("org_member");
        Schema<Object> merged = (Schema<Object>) merged(schemas, member);
        ((Map<String, Schema>) member.getProperties()).forEach(merged::addProperty);
        ((Schema<String>) merged.getProperties().get("role")).addEnumItemObject("Editor");
        schemas.put("org_member", merged);
        Map<String, Schema> page = schemas.get("org_member_paginated").getProperties();
        page.get("next").setNullable(true);
        page.get("previous").setNullable(true);
        api.getPaths().get("/v2/orgs/{org_name}/members").getGet().getResponses().get("200").getContent()
                .get("application/json").setSchema(new Schema<>().$ref("#/components/schemas/org_member_paginated"));
        io.swagger.v3.oas.models.responses.ApiResponse badRequest = new io.swagger.v3.oas.models.responses.ApiResponse()
                .description("validation failed").content(new io.swagger.v3.oas.models.media.Content().addMediaType(
                        "application/json", new io.swagger.v3.oas.models.media.MediaType()
                                .schema(new Schema<>().$ref("#/components/schemas/ValueError"))));
        io.swagger.v3.oas.models.PathItem orgMembers = api.getPaths().get("/v2/orgs/{org_name}/members");
        io.swagger.v3.oas.models.PathItem orgMember = api.getPaths().get("/v2/orgs/{org_name}/members/{username}");
        io.swagger.v3.oas.models.PathItem repositoryGroups = api.getPaths()
                .get("/v2/repositories/{namespace}/{repository}/groups");
        io.swagger.v3.oas.models.PathItem groups = api.getPaths().get("/v2/orgs/{org_name}/groups");
        io.swagger.v3.oas.models.PathItem group = api.getPaths().get("/v2/orgs/{org_name}/groups/{group_name}");
        io.swagger.v3.oas.models.PathItem members = api.getPaths()
                .get("/v2/orgs/{org_name}/groups/{group_name}/members");
        for (io.swagger.v3.oas.models.Operation op : List.of(orgMembers.getGet(), orgMember.getPut(),
                groups.getGet(), groups.getPost(), group.getPut(), group.getPatch(), members.getGet(),
                members.getPost(), repositoryGroups.getPost())) {
            op.getResponses().addApiResponse("400", badRequest);
        }
        for (io.swagger.v3.oas.models.Operation list : List.of(groups.getGet(), members.getGet())) {
            Map<String, Schema> links = list.getResponses().get("200").getContent().get("application/json")
                    .getSchema().getProperties();
            links.get("next").setNullable(true);
            links.get("previous").setNullable(true);
        }
    }

    /** One object schema with the properties of every part of {@code composed}'s allOf, references resolved. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Schema<?> merged(Map<String, Schema> schemas, Schema<?> composed) {
        Schema<Object> out = new io.swagger.v3.oas.models.media.ObjectSchema();
        for (Schema part : ((io.swagger.v3.oas.models.media.ComposedSchema) composed).getAllOf()) {
            Schema resolved = part.get$ref() == null ? part
                    : schemas.get(part.get$ref().substring("#/components/schemas/".length()));
            ((Map<String, Schema>) resolved.getProperties()).forEach(out::addProperty);
        }
        return out;
    }

    /**
     * Asserts that the response matches the spec's definition of this operation and status. Where the spec lists no
     * such status for the operation (it omits, e.g., 404 on PATCH and 403 everywhere on the token routes), the body
     * must still be Docker Hub's {@code Error {detail, message}}.
     */
    public static Http.Response assertValid(Http.Response r) {
        String path = r.path().contains("?") ? r.path().substring(0, r.path().indexOf('?')) : r.path();
        SimpleResponse.Builder b = SimpleResponse.Builder.status(r.status());
        if (r.body() != null && !r.body().isEmpty()) {
            b.withBody(r.body()).withContentType(r.header("Content-Type"));
        }
        ValidationReport report = VALIDATOR.validateResponse(path, Request.Method.valueOf(r.method()), b.build());
        boolean undocumentedStatus = report.getMessages().stream()
                .anyMatch(m -> m.getKey().equals("validation.response.status.unknown"));
        if (undocumentedStatus) {
            assertThat(r.status()).as("undocumented status of %s", r).isIn(403, 404, 409, 429);
            assertThat(r.json().path("detail").isTextual()).as("Error body of %s", r).isTrue();
            return r;
        }
        String problems = report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(HubSchema::describe)
                .collect(Collectors.joining("\n"));
        assertThat(problems).as("schema validation of %s", r).isEmpty();
        return r;
    }

    private static String describe(ValidationReport.Message m) {
        String nested = m.getNestedMessages().stream().map(HubSchema::describe).collect(Collectors.joining("; "));
        return m.getKey() + ": " + m.getMessage() + (nested.isEmpty() ? "" : " [" + nested + "]");
    }
}
