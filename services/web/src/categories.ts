/** The shop's departments (the catalog's category slugs) with the names shoppers see. */
export const categories: { slug: string; name: string }[] = [
  { slug: 'electronics', name: 'Electronics' },
  { slug: 'books', name: 'Books' },
  { slug: 'home-kitchen', name: 'Home & Kitchen' },
  { slug: 'toys', name: 'Toys' },
  { slug: 'sports', name: 'Sports' },
  { slug: 'fashion', name: 'Fashion' },
  { slug: 'beauty', name: 'Beauty' },
  { slug: 'grocery', name: 'Grocery' },
  { slug: 'garden', name: 'Garden' },
  { slug: 'automotive', name: 'Automotive' },
  { slug: 'office', name: 'Office' },
  { slug: 'pets', name: 'Pets' },
];
