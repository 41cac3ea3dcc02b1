package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuVendorTest {
    @Test
    void readsTheFirstVendorIdAndNothingFromAMissingOrBareFile(@TempDir Path dir) throws IOException {
        Path info = dir.resolve("cpuinfo");
        Files.writeString(info, "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n");
        assertEquals("AuthenticAMD", CpuVendor.vendorId(info));
        Files.writeString(info, "processor\t: 0\nmodel name\t: something\n");
        assertNull(CpuVendor.vendorId(info));
        assertNull(CpuVendor.vendorId(dir.resolve("absent")));
    }
}
