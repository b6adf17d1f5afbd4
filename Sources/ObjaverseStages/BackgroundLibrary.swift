import Foundation
import Imaging
import Support
import Synchronization

/// The background photos of a `compose` run (a folder of .jpg/.png, listed once, sorted), or
/// procedural backgrounds when no folder is configured.
final class BackgroundLibrary: Sendable {
    private let photos = Mutex<[String]>([])

    /// Lists the photos of `folder` (nil: none, procedural backgrounds).
    func load(folder: String?) throws {
        guard let folder else { return }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        guard !names.isEmpty else {
            throw ComposeError(.noBackgrounds, message: "the backgrounds folder \(folder) holds no .jpg or .png photo")
        }
        photos.withLock { $0 = names.map { folder + "/" + $0 } }
    }

    /// A `size` x `size` background from the item's stream: a random square crop of a photo,
    /// resized, or a procedural scene; with its description and a horizon row (nil for photos).
    func draw(size: Int, random: inout SeededRandom) throws -> (image: RGBAImage, source: String, description: String, horizon: Int?) {
        let list = photos.withLock { $0 }
        guard !list.isEmpty else {
            let made = ProceduralBackground.make(size: size, random: &random)
            return (made.image, "procedural", made.description, made.horizon)
        }
        let path = list[random.integer(below: list.count)]
        let photo = try ImageFile.loadRGBA(path)
        let side = min(photo.width, photo.height)
        let x = random.integer(below: photo.width - side + 1), y = random.integer(below: photo.height - side + 1)
        let square = photo.cropped(to: PixelRect(x: x, y: y, width: side, height: side)).resized(width: size, height: size)
        let words = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            .replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
        return (square, path, words, nil)
    }
}

/// A composition that cannot be made, with its reason.
public struct ComposeError: DescribedError, Equatable {
    /// The failure classes; their raw values are the stable `kind` strings stored in manifests
    /// (pinned by a test: renaming one is a change of the manifest's vocabulary).
    public enum Reason: String, Sendable, CaseIterable {
        case noBackgrounds = "no-backgrounds"
    }

    /// Which failure class this is.
    public let reason: Reason
    /// What is wrong.
    public let message: String

    /// The stable kebab-case failure class (`reason.rawValue`).
    public var kind: String { reason.rawValue }

    /// Creates an error of a class with its message.
    public init(_ reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }
}
