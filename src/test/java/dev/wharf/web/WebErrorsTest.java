package dev.wharf.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.http.HttpError;
import dev.wharf.testing.ErrorMapperContract;
import org.junit.jupiter.api.Test;

class WebErrorsTest {
    @Test
    void everyFailureIsAPageForPeople() {
        WebErrors errors = new WebErrors(new Pages());
        ErrorMapperContract.check(errors, "/tokens");
        HttpError notFound = errors.map("/nope", new dev.wharf.http.RouteNotFound("GET", "/nope", java.util.Set.of()));
        assertThat(notFound.contentType()).startsWith("text/html");
        assertThat(((HttpError.Html) notFound.body()).text()).contains("<h1>Not found</h1>");
    }

    @Test
    void aPageThatNeedsASessionSendsTheBrowserToSignInAndBack() {
        HttpError error = new WebErrors(new Pages()).map("/tokens", new SignInRequired());
        assertThat(error.status()).isEqualTo(303);
        assertThat(error.headers()).containsEntry("Location", "/signin?next=%2Ftokens");
    }
}
