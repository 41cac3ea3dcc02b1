package sealjvm.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU's vendor, read once from Linux's {@code /proc/cpuinfo} (unknown elsewhere). Kernels that choose by it change
 * speed only, never a result.
 */
final class CpuVendor {
    private CpuVendor() {}

    /**
     * Whether fma with subnormal operands runs at full speed: measured on an AMD Zen 4 (a decode product over F16 weights
     * of which 90 % widen to subnormal floats ran as fast as over normal ones); assumed not elsewhere, where a subnormal
     * operand may take a microcode assist.
     */
    static final boolean SUBNORMAL_OPERANDS_FREE = "AuthenticAMD".equals(vendorId(Path.of("/proc/cpuinfo")));

    /** The first {@code vendor_id} of a cpuinfo file, or null. */
    static String vendorId(Path cpuinfo) {
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("vendor_id")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
