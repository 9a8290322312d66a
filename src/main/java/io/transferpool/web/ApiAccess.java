package io.transferpool.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * When {@code tp.api.token} is set, POST and DELETE must carry {@code Authorization: Bearer TOKEN} (401 otherwise);
 * reads stay open. Off by default, for a laptop; the cluster sets it from a Secret (k8s/).
 */
@ApplicationScoped // a client proxy: filters are made while the application is built, before its configuration
public class ApiAccess {
    @Inject
    ApiConfig api;

    @ServerRequestFilter
    public Optional<Response> requireToken(ContainerRequestContext request) {
        String method = request.getMethod();
        if (!method.equals("POST") && !method.equals("DELETE")) {
            return Optional.empty();
        }
        return check(api.token(), request.getHeaderString(HttpHeaders.AUTHORIZATION)) ? Optional.empty()
                : Optional.of(Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"transferpool\"")
                .type(MediaType.TEXT_PLAIN).entity("this pool needs a bearer token to submit or cancel jobs\n")
                .build());
    }

    /** True when no token is configured, or the header carries it (compared in constant time). */
    static boolean check(Optional<String> token, String authorization) {
        if (token.isEmpty() || token.get().isEmpty()) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(token.get().getBytes(StandardCharsets.UTF_8),
                authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }
}
