package dev.wharf.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.accounts.NamespaceSettings.Schedule;
import dev.wharf.audit.Actor;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The garbage collection schedules of all namespaces, as the collection worker reads them. */
abstract class NamespaceSettingsStoreTest extends ServerTest {
    private long newOrg() {
        String name = uniqueName("org");
        Http admin = server.http().bearer(Sessions.adminSession(server));
        assertThat(admin.post("/api/v1/orgs", Map.of("name", name)).status()).isEqualTo(201);
        return server.wharf().accounts().org(name).id();
    }

    private void schedule(long org, Schedule schedule) {
        server.wharf().namespaces().save(new NamespaceSettings(org, List.of(), schedule, false, null, null, null),
                Actor.SYSTEM);
    }

    @Test
    void everySetScheduleWithADayIsListedAndNoOther() {
        NamespaceSettingsStore store = server.wharf().namespaces();
        List<Schedule> before = store.gcSchedules();
        Schedule monday = new Schedule(List.of(DayOfWeek.MONDAY), LocalTime.of(3, 30));
        Schedule weekend = new Schedule(List.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), LocalTime.of(23, 0, 15));
        long first = newOrg();
        long second = newOrg();
        long none = newOrg();
        long noDays = newOrg();
        long cleared = newOrg();
        schedule(first, monday);
        schedule(second, weekend);
        schedule(none, null);
        schedule(noDays, new Schedule(List.of(), LocalTime.of(1, 0)));
        schedule(cleared, monday);
        schedule(cleared, null);

        List<Schedule> after = store.gcSchedules();
        assertThat(after).hasSize(before.size() + 2);
        assertThat(after.subList(after.size() - 2, after.size())).containsExactly(monday, weekend);
        assertThat(after).allSatisfy(s -> assertThat(s.days()).isNotEmpty());
    }
}
