import { Schema, type Connection, type Model } from 'mongoose';

/** A product as stored: the public id is the document _id (no second unique index to keep in step). */
export interface ProductDoc {
  _id: string;
  name: string;
  description: string;
  price: number;
  currency: string;
  category: string;
  image_url: string;
  tags: string[];
  created_at: Date;
  updated_at: Date;
}

const productSchema = new Schema<ProductDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    price: { type: Number, required: true },
    currency: { type: String, required: true },
    category: { type: String, required: true, index: true },
    image_url: { type: String, required: true },
    tags: { type: [String], default: [] },
  },
  { collection: 'products', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } },
);

export function productModel(conn: Connection): Model<ProductDoc> {
  return conn.models.Product ?? conn.model<ProductDoc>('Product', productSchema);
}
