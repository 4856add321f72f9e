package dev.wharf.web;

/**
 * What every page's frame shows: the title, who is signed in (null for nobody) and whether they administer the
 * site, and the CSRF token its forms carry.
 */
public record Chrome(String title, String user, boolean siteAdmin, String csrf) {

    static Chrome of(String title, WebAuth.SignedIn signedIn) {
        return new Chrome(title, signedIn.principal().username(), signedIn.principal().account().siteAdmin(),
                signedIn.session().csrfToken());
    }

    static Chrome anonymous(String title) {
        return new Chrome(title, null, false, "");
    }
}
