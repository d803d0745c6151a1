#if canImport(Glibc)
import Glibc
#endif

/// The relay moves blobs and request bodies through buffers of a few hundred KiB. glibc maps such a
/// buffer on its own at first, but raises its mmap threshold once one is freed and from then on carves
/// them from per-thread heaps that keep what is freed: six readers of a 512 MiB blob held 300 MB that
/// way, with 64 KiB buffers 770 MB. A fixed threshold keeps every allocation of 128 KiB or more in a
/// mapping of its own, given back to the system when freed, so memory follows what is really in flight.
public enum RelayMemory {
    /// Call once, at start, before serving. Without glibc (or its `mallopt`) it does nothing.
    public static func returnLargeBuffersToTheSystem() {
        #if canImport(Glibc)
        // `mallopt` is declared in <malloc.h>, which the Glibc module does not export.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 128 << 10)
        #endif
    }
}
