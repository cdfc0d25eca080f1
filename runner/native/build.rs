//! Links the native twin's worker in the order of link-order.txt.

include!("../core/build/link_order.rs");

fn main() {
    link_order("link-order.txt");
}
