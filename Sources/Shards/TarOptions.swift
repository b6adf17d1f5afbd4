/// The fixed ownership and time stamps written into every tar header, so the same members give
/// the same bytes on every machine and every run, as reproducible-builds.org/docs/archives advises
/// (fixed mtime, uid/gid and owner names); img2dataset and webdataset's TarWriter use the wall clock instead.
public struct TarOptions: Sendable, Equatable {
    /// Modification time (seconds since 1970) stored in every header.
    public var mtime: Int
    /// File mode bits stored in every header (regular file).
    public var mode: Int
    /// Numeric owner id.
    public var uid: Int
    /// Numeric group id.
    public var gid: Int
    /// Owner name (at most 31 bytes).
    public var uname: String
    /// Group name (at most 31 bytes).
    public var gname: String

    /// Creates options; the defaults are the project's reproducible choice (epoch 0, 0644, root:root).
    public init(mtime: Int = 0, mode: Int = 0o644, uid: Int = 0, gid: Int = 0, uname: String = "root", gname: String = "root") {
        self.mtime = mtime
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.uname = uname
        self.gname = gname
    }

    /// The project's default: fixed epoch-0 time stamps and root ownership.
    public static let reproducible = TarOptions()
}
